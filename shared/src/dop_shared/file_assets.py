"""An asset that loads one local CSV file into a warehouse table, whole.

Used for sources whose local stand-in is a single file (PyPI downloads, Slack
member stats): typed strictly by DuckDB's CSV reader, replaced in one
transaction, with the row count and the file in the materialization.
"""

from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from dop_shared import paths
from dop_shared.locations import location
from dop_shared.readers import read_csv
from dop_shared.warehouse import TableRef, Warehouse


def csv_table_asset(
    *,
    table: TableRef,
    source_file: Path,
    columns: Mapping[str, str],
    description: str,
    location_name: str,
    group_name: str,
    kinds: set[str] = frozenset({"python"}),
) -> dg.AssetsDefinition:
    """`source_file` is relative to the data directory's sources/ folder."""

    @dg.asset(
        key=table.asset_key,
        description=description,
        group_name=group_name,
        owners=location(location_name).owners,
        kinds=set(kinds),
    )
    def _load(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        target = table.physical()  # a misconfigured deployment fails here, before any work
        path = paths.sources_dir() / source_file
        rows = warehouse.replace(table, read_csv(path, columns))
        context.log.info(f"{rows} rows from {path} -> {target}")
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "file": str(path)})

    return _load
