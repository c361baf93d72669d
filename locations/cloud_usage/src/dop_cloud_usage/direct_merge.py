"""Increments merged straight into a local DuckDB replica, without a dlt pipeline.

Why: for the few thousand rows of a 15-minute sync, dlt's machinery is what the run
costs, not the rows: configuration resolved for the pipeline, its destination and
each step (~0.1 s), the rows extracted to files, normalized into a load package and
loaded into a staging table before the merge (~0.3 s), four to five times the SQL
the increment needs. Locally the replica is a DuckDB table on a connection already
open, so the changed rows are read the way dlt reads them (ConnectorX, Arrow batches,
the same query) and merged the way dlt merges them (`delete-insert` on `id`: staged,
then deleted and inserted in one transaction).

dlt keeps everything else: it creates a replica (first load), evolves one whose
source gained a column, and loads Snowflake. A direct merge writes the columns dlt
created (the drift check has refused any change of type before) and no row in
`_dlt_loads`, which nothing reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from dop_cloud_usage.dlt_source import BACKEND_KWARGS
from dop_cloud_usage.tables import PRIMARY_KEY
from dop_shared.sql import quote_identifier

STAGE = "dop_increment"


class DuckDBReplicaSql:
    """The part of dlt's SQL job client that `replica.read_replicas` and
    `replica.replica_figures` use, over the sync's DuckDB connection: no dlt pipeline,
    configuration or client to set up for a sync that needs none."""

    def __init__(self, conn, dataset: str) -> None:
        from dlt.destinations import duckdb

        self.conn, self.dataset = conn, dataset
        # dlt's own DuckDB type mapping (the raw capabilities: the public ones resolve
        # dlt's whole destination configuration, ~40 ms, for a type table)
        self._types = duckdb()._raw_capabilities().get_type_mapper()

    @property
    def sql_client(self) -> DuckDBReplicaSql:
        return self

    def escape_column_name(self, name: str) -> str:
        return quote_identifier(name)

    def make_qualified_table_name(self, table: str) -> str:
        return f"{quote_identifier(self.dataset)}.{quote_identifier(table)}"

    def execute_sql(self, sql: str, *params: Any) -> list[tuple]:
        return self.conn.execute(sql, list(params) or None).fetchall()

    def get_storage_tables(self, tables: Iterable[str]) -> Iterator[tuple[str, dict]]:
        """Each existing table's columns in dlt's types, as dlt's client reads them."""
        wanted = list(tables)
        rows = self.execute_sql(
            # duckdb_columns(): what information_schema.columns is a view of, at a fifth
            # of its cost
            "SELECT table_name, column_name, data_type, is_nullable, numeric_precision, "
            "numeric_scale FROM duckdb_columns() WHERE database_name = current_database() "
            f"AND schema_name = ? AND table_name IN ({', '.join('?' * len(wanted))}) "
            "ORDER BY table_name, column_index",
            self.dataset,
            *wanted,
        )
        found: dict[str, dict[str, dict[str, Any]]] = {}
        for table, column, db_type, nullable, precision, scale in rows:
            found.setdefault(table, {})[column] = {
                "name": column,
                "nullable": bool(nullable),
                **self._types.from_destination_type(db_type, precision, scale),
            }
        return iter(found.items())


def merge_increment(conn, dataset: str, engine, table: sa.Table, where) -> tuple[int, int]:
    """Read the rows `where` selects from the source and merge them on `id` into the
    replica; returns (rows read, rows written). Readers see the replica before or after,
    never between: the delete and the insert are one transaction."""
    import connectorx as cx

    query = sa.select(table) if where is None else sa.select(table).where(where)
    rows = cx.read_sql(
        engine.url.set(drivername=engine.url.get_backend_name()).render_as_string(
            hide_password=False
        ),
        str(query.compile(engine, compile_kwargs={"literal_binds": True})),
        **BACKEND_KWARGS,
    )
    target = f"{quote_identifier(dataset)}.{quote_identifier(table.name)}"
    key = quote_identifier(PRIMARY_KEY)
    conn.register(STAGE, rows)  # Arrow batches streamed into a staging table, bounded memory
    try:
        conn.execute("BEGIN TRANSACTION")
        try:
            [(read,)] = conn.execute(
                f"CREATE TEMP TABLE {STAGE}_rows AS SELECT * FROM {STAGE}"
            ).fetchall()
            conn.execute(f"DELETE FROM {target} WHERE {key} IN (SELECT {key} FROM {STAGE}_rows)")
            [(written,)] = conn.execute(
                f"INSERT INTO {target} BY NAME SELECT * FROM {STAGE}_rows"
            ).fetchall()
            conn.execute(f"DROP TABLE {STAGE}_rows")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.unregister(STAGE)
    return int(read), int(written)
