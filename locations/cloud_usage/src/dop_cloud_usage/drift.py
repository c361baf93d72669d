"""Schema drift between a source table and its replica, found before anything is loaded.

- a column added to the source is replicated (dlt evolves the table) and reported;
- a column dropped from the source keeps its replica column (new rows hold null there)
  and fails the table's `source_columns_present` check, naming it;
- a column whose type changed so that it no longer fits the replica's fails the run
  before a row is written: the replica keeps its rows and its types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import dagster as dg

from dop_cloud_usage.tables import table_ref


@dataclass(frozen=True)
class Drift:
    table: str
    added: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    retyped: list[tuple[str, str, str]] = field(default_factory=list)  # column, replica, source


def _types(columns: Mapping[str, Mapping]) -> dict[str, str]:
    return {
        name: str(column.get("data_type"))
        for name, column in columns.items()
        if not name.startswith("_dlt") and column.get("data_type")
    }


def compare(table: str, source: Mapping[str, Mapping], replica: Mapping[str, Mapping]) -> Drift:
    """`source`: the dlt column hints reflected from the source table; `replica`: the
    replica's columns in dlt's types, read from the destination (empty before the first
    load)."""
    theirs, ours = _types(source), _types(replica)
    if not ours:
        return Drift(table)
    return Drift(
        table,
        added=sorted(set(theirs) - set(ours)),
        dropped=sorted(set(ours) - set(theirs)),
        retyped=[
            (c, ours[c], theirs[c]) for c in sorted(set(ours) & set(theirs)) if ours[c] != theirs[c]
        ],
    )


def refuse_retyped(drifts: list[Drift]) -> None:
    """Fail, naming every table, column and both types, if any column changed type."""
    problems = [
        f"{table_ref(d.table).physical()}.{column}: replicated as {ours}, "
        f"now {theirs} in the source"
        for d in drifts
        for column, ours, theirs in d.retyped
    ]
    if problems:
        raise dg.Failure(
            description=(
                "Columns of the cloud product changed type incompatibly; nothing was loaded and "
                "the replicas are unchanged. Migrate the replica (or drop and reload the table): "
                + "; ".join(problems)
            ),
            metadata={"retyped_columns": problems},
        )


def columns_check(drift: Drift) -> dg.AssetCheckResult:
    """Fails when replica columns no longer exist in the source (rows still load)."""
    where = table_ref(drift.table)
    return dg.AssetCheckResult(
        asset_key=where.asset_key,
        check_name="source_columns_present",
        passed=not drift.dropped,
        description=(
            f"{where.physical()}: column(s) {', '.join(drift.dropped)} no longer in the source "
            "table; new rows hold null there."
            if drift.dropped
            else "Every replicated column is still in the source."
        ),
        metadata={"dropped_columns": ", ".join(drift.dropped) or "none"},
    )
