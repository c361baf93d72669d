"""Metadata of a run that may cover one partition or a range of them.

A single-run backfill records one materialization per partition, all carrying the
run's metadata. A `dagster/row_count` there would claim the range's total for every
partition, so it is given for a single partition only; a range gets its figures per
partition as a table instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg

_COLUMN_TYPES = ((bool, "bool"), (int, "int"), (float, "float"))


def _column_type(value: Any) -> str:
    return next((name for kind, name in _COLUMN_TYPES if isinstance(value, kind)), "string")


def partition_figures(records: Sequence[Mapping[str, Any]], rows: str) -> dict[str, Any]:
    """`records`: one mapping per partition, in order, each holding `rows` (its row count)."""
    if len(records) == 1:
        return {"dagster/row_count": records[0][rows]}
    columns = [dg.TableColumn(name, _column_type(value)) for name, value in records[0].items()]
    return {
        "per_partition": dg.MetadataValue.table(
            [dg.TableRecord(dict(record)) for record in records],
            schema=dg.TableSchema(columns=columns),
        )
    }
