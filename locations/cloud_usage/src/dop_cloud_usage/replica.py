"""Where each replica stands, read from the destination itself, and which source rows
it lacks.

The cursor of a table is derived from its replica: `max(updated_at)` and a
fingerprint (count and sum of ids) of the rows at exactly that value. It replaces
dlt's pipeline state: one query per sync instead of restoring state and schemas,
and nothing to lose with a local folder. The source is then read past the cursor,
or from it inclusive when its rows at the cursor differ from the replica's (a row
added at the very same timestamp), so no row is skipped and a sync with no change
reads and writes nothing. The replica's columns come from the destination's
information schema in dlt's types: what source columns are compared with for drift.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from dop_cloud_usage.tables import CURSOR, PRIMARY_KEY


@dataclass(frozen=True)
class Replica:
    """One replicated table as the destination has it (no columns: not loaded yet)."""

    table: str
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    cursor: Any = None  # max(updated_at) in the replica
    at_cursor: tuple[int, int] = (0, 0)  # count and sum of the ids at exactly `cursor`

    @property
    def loaded(self) -> bool:
        return any(not name.startswith("_dlt") for name in self.columns)


@dataclass(frozen=True)
class Pending:
    """The source rows a replica lacks: `where` (None: the whole table) and whether any."""

    where: sa.ColumnElement[bool] | None
    any_rows: bool


def pending(conn, source: sa.Table, replica: Replica) -> Pending:
    """One indexed query on the source: is there a row past the cursor, and are the rows
    at the cursor the replica's own? It visits the rows at the cursor and one row past
    it, not every changed row: rows just changed at the source cost their first reader
    a heap visit each (visibility), which the read of the changed rows pays anyway."""
    if replica.cursor is None:
        found = conn.execute(sa.select(sa.literal(1)).select_from(source).limit(1)).first()
        return Pending(None, found is not None)
    column, key = source.c[CURSOR], source.c[PRIMARY_KEY]
    cursor = _as_column_time(replica.cursor, column.type)
    # max(): the index read backwards from its newest entry, which a row just updated
    # holds (rows updated and updated back leave dead entries a forward read visits)
    newer = sa.select(sa.func.max(column)).where(column > cursor).scalar_subquery()
    count, total, found = conn.execute(
        sa.select(sa.func.count(), sa.func.sum(key), newer.correlate(None)).where(column == cursor)
    ).one()
    same_boundary = (int(count), int(total or 0)) == replica.at_cursor
    return Pending(
        column > cursor if same_boundary else column >= cursor,
        found is not None or not same_boundary,
    )


def _as_column_time(value: Any, column_type: sa.types.TypeEngine) -> Any:
    """The replica's cursor in the source column's flavour (naive UTC or aware)."""
    if not isinstance(value, dt.datetime):
        return value
    if getattr(column_type, "timezone", False):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def read_replicas(job_client, tables: Sequence[str]) -> dict[str, Replica]:
    """Columns, cursor and boundary fingerprint of every table, in two queries for all."""
    columns = {
        table: _as_named_by_dlt(found) for table, found in job_client.get_storage_tables(tables)
    }
    loaded = [t for t in tables if CURSOR in columns.get(t, {})]
    boundary: dict[str, tuple[Any, tuple[int, int]]] = {}
    if loaded:
        sql = job_client.sql_client
        cursor, key = sql.escape_column_name(CURSOR), sql.escape_column_name(PRIMARY_KEY)
        query = " UNION ALL ".join(  # table names are this module's constants, not input
            f"SELECT '{t}', {cursor}, count(*), sum({key}) FROM {sql.make_qualified_table_name(t)}"
            f" WHERE {cursor} = (SELECT max({cursor}) FROM {sql.make_qualified_table_name(t)})"
            f" GROUP BY {cursor}"
            for t in loaded
        )
        for table, value, count, total in sql.execute_sql(query):
            boundary[table] = (value, (int(count), int(total or 0)))
    return {t: Replica(t, columns.get(t, {}), *boundary.get(t, (None, (0, 0)))) for t in tables}


def _as_named_by_dlt(columns: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Column names as dlt names them (snake_case, lower): the information schema gives
    them as the warehouse folds them, upper case on Snowflake."""
    return {name.lower(): {**column, "name": name.lower()} for name, column in columns.items()}


def replica_figures(sql_client, table: str) -> tuple[int, Any]:
    """Row count and cursor of a replica after a sync."""
    cursor = sql_client.escape_column_name(CURSOR)
    [(rows, latest)] = sql_client.execute_sql(
        f"SELECT count(*), max({cursor}) FROM {sql_client.make_qualified_table_name(table)}"
    )
    return int(rows), latest
