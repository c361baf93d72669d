"""The dlt side of the replication: one `sql_table` resource per table, and the translator
that gives each the asset key of its dbt source.

Imported when a run starts, not when definitions load: dlt is a heavy import and
loading needs only the asset specs (`tables.table_spec`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg
import dlt
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.sources.sql_database import remove_nullability_adapter, sql_table

from dop_cloud_usage.tables import CURSOR, PRIMARY_KEY, table_spec

# Rows per Arrow batch read from the source: bounds memory whatever the table's size.
CHUNK_ROWS = 100_000
# ConnectorX reads the source in Rust (Postgres: the binary protocol) straight into Arrow
# batches; streamed, so memory stays bounded by CHUNK_ROWS whatever the table's size.
BACKEND_KWARGS = {"return_type": "arrow_stream", "batch_size": CHUNK_ROWS}


@dataclass
class StitchDltTranslator(DagsterDltTranslator):
    """Keys `stitch/<group>/<table>`, the keys dbt gives these sources."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        return table_spec(data.resource.name)


def cloud_product_source(engine, tables: Sequence[str]):
    """Each table read in Arrow batches from `updated_at` onwards, merged on `id`.

    The cursor (`updated_at` >= the last value seen; rows at exactly that value are
    deduplicated by dlt) lives in the pipeline state, which dlt stores in the
    destination dataset and restores from it, so losing the local folder loses nothing.
    """

    @dlt.source(name="cloud_product", max_table_nesting=0)
    def cloud_product():
        for table in tables:
            yield sql_table(
                engine,
                table=table,
                backend="connectorx",
                chunk_size=CHUNK_ROWS,
                backend_kwargs=BACKEND_KWARGS,
                incremental=dlt.sources.incremental(CURSOR),
                write_disposition={"disposition": "merge", "strategy": "delete-insert"},
                primary_key=PRIMARY_KEY,
                # replica columns accept nulls: a column dropped at the source then
                # stays in the replica, null in new rows, instead of failing the load
                table_adapter_callback=remove_nullability_adapter,
            )

    return cloud_product()
