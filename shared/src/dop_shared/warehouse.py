"""The warehouse that ingestion assets write to: DuckDB locally, Snowflake otherwise.

Both implement one small contract (`replace`): put an Arrow table into a logical
table, replacing either the whole table or one partition of it, in a single
transaction, so a failed load leaves the previous content and a repeated load
never duplicates rows. Locations only ever see `Warehouse`; which one they get is
decided by `dop_shared.resources` from the environment.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import dagster as dg
import pyarrow as pa
from pydantic import Field

from dop_shared import environment, paths


@dataclass(frozen=True)
class TableRef:
    """A table by its logical name: the one in its asset key, e.g. purina.prod_telemetry.x."""

    database: str
    schema: str
    name: str

    @classmethod
    def from_key(cls, key: dg.AssetKey) -> TableRef:
        if len(key.path) != 3:
            raise ValueError(f"{key.to_user_string()} is not a [database, schema, table] key")
        return cls(*key.path)

    @property
    def asset_key(self) -> dg.AssetKey:
        return dg.AssetKey([self.database, self.schema, self.name])

    def physical(self) -> str:
        """database.schema.table in the current environment (validated, never user text)."""
        return f"{environment.physical_database(self.database)}.{self.schema}.{self.name}"


@dataclass(frozen=True)
class Partition:
    """Rows of a table whose `column` is `value`, or in [value, end) when `end` is given
    (a week of daily rows, say)."""

    column: str
    value: Any
    end: Any = None

    def predicate(self, placeholder: str, quote=None) -> tuple[str, list[Any]]:
        column = (quote or _quote)(self.column)
        if self.end is None:
            return f"{column} = {placeholder}", [self.value]
        return f"{column} >= {placeholder} AND {column} < {placeholder}", [self.value, self.end]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _quoted(physical_name: str) -> str:
    return ".".join(_quote(part) for part in physical_name.split("."))


class Warehouse(dg.ConfigurableResource):
    """What ingestion needs from a warehouse; see DuckDBWarehouse and SnowflakeWarehouse."""

    def replace(self, table: TableRef, data: pa.Table, partition: Partition | None = None) -> int:
        """Replace the table (or one partition of it) with `data`; returns rows written."""
        return self.replace_many([(table, data, partition)])

    def replace_many(self, writes: list[tuple[TableRef, pa.Table, Partition | None]]) -> int:
        """Several replaces in one transaction: all of them land, or none does."""
        raise NotImplementedError

    def row_count(self, table: TableRef, partition: Partition | None = None) -> int:
        raise NotImplementedError


class DuckDBWarehouse(Warehouse):
    """Local Snowflake: one DuckDB file per database, attached under the database's name."""

    data_dir: str | None = Field(
        default=None,
        description="Folder holding warehouse/<database>.duckdb; default DOP_DATA_DIR.",
    )
    memory_limit: str = Field(default="512MB", description="DuckDB memory limit of a connection.")

    @contextlib.contextmanager
    def connect(self, read_only: bool = False) -> Iterator[Any]:
        import duckdb

        folder = (
            paths.warehouse_dir()
            if self.data_dir is None
            else paths.Path(self.data_dir) / "warehouse"
        )
        folder.mkdir(parents=True, exist_ok=True)
        main = folder / f"{environment.SANDBOX_DATABASE}.duckdb"
        if read_only and not main.exists():
            duckdb.connect(str(main)).close()
        # Bounded memory (DuckDB spills beyond it), and no progress bars in run logs.
        conn = duckdb.connect(
            str(main), read_only=read_only, config={"memory_limit": self.memory_limit}
        )
        conn.execute("set enable_progress_bar = false")
        try:
            for name in environment.RAW_DATABASES:
                file = folder / f"{name}.duckdb"
                mode = " (READ_ONLY)" if read_only and file.exists() else ""
                conn.execute(f"ATTACH '{file}' AS {name}{mode}")
            yield conn
        finally:
            conn.close()

    def replace_many(self, writes: list[tuple[TableRef, pa.Table, Partition | None]]) -> int:
        targets = [(table.physical(), data, partition) for table, data, partition in writes]
        with self.connect() as conn:
            conn.execute("BEGIN TRANSACTION")
            try:
                for index, (physical, data, partition) in enumerate(targets):
                    name = f"incoming_{index}"
                    conn.register(name, data)
                    target = _quoted(physical)
                    conn.execute(
                        f"CREATE SCHEMA IF NOT EXISTS {_quoted(physical.rsplit('.', 1)[0])}"
                    )
                    if partition is None:
                        conn.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {name}")
                        continue
                    conn.execute(
                        f"CREATE TABLE IF NOT EXISTS {target} AS SELECT * FROM {name} LIMIT 0"
                    )
                    where, params = partition.predicate("?")
                    conn.execute(f"DELETE FROM {target} WHERE {where}", params)
                    conn.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {name}")
                conn.execute("COMMIT")
            except Exception:
                conn.execute("ROLLBACK")
                raise
        return sum(data.num_rows for _, data, _ in targets)

    def row_count(self, table: TableRef, partition: Partition | None = None) -> int:
        with self.connect(read_only=True) as conn:
            sql = f"SELECT count(*) FROM {_quoted(table.physical())}"
            params: list[Any] = []
            if partition is not None:
                where, params = partition.predicate("?")
                sql += f" WHERE {where}"
            return conn.execute(sql, params).fetchone()[0]


_ARROW_TO_SNOWFLAKE = (
    (pa.types.is_boolean, "BOOLEAN"),
    (pa.types.is_integer, "NUMBER(38,0)"),
    (pa.types.is_floating, "FLOAT"),
    (pa.types.is_date, "DATE"),
    (pa.types.is_timestamp, "TIMESTAMP_NTZ"),
)


def _upper_quote(identifier: str) -> str:
    return _quote(identifier.upper())


def _snowflake_type(arrow_type: pa.DataType) -> str:
    for matches, sql_type in _ARROW_TO_SNOWFLAKE:
        if matches(arrow_type):
            return sql_type
    return "VARCHAR"


class SnowflakeWarehouse(Warehouse):
    """Snowflake through dagster-snowflake's resource; credentials only from env vars.

    Names are written upper-case and quoted, which is what unquoted names in dbt
    resolve to on Snowflake.
    """

    account: str
    user: str
    password: str | None = None
    role: str | None = None
    warehouse: str | None = None
    connection_args: dict[str, Any] | None = Field(
        default=None, description="Extra snowflake-connector arguments (host, port, protocol...)."
    )

    def _resource(self):
        from dagster_snowflake import SnowflakeResource

        return SnowflakeResource(
            account=self.account,
            user=self.user,
            password=self.password,
            role=self.role,
            warehouse=self.warehouse,
            additional_snowflake_connection_args=self.connection_args,
        )

    def replace_many(self, writes: list[tuple[TableRef, pa.Table, Partition | None]]) -> int:
        targets = [(table.physical().upper(), data, partition) for table, data, partition in writes]
        with self._resource().get_connection() as conn:
            cur = conn.cursor()
            for physical, data, _ in targets:  # DDL commits implicitly: before the transaction
                columns = ", ".join(
                    f"{_upper_quote(f.name)} {_snowflake_type(f.type)}" for f in data.schema
                )
                cur.execute(f"CREATE SCHEMA IF NOT EXISTS {_quoted(physical.rsplit('.', 1)[0])}")
                cur.execute(f"CREATE TABLE IF NOT EXISTS {_quoted(physical)} ({columns})")
            cur.execute("BEGIN")
            try:
                for physical, data, partition in targets:
                    target = _quoted(physical)
                    if partition is None:
                        cur.execute(f"DELETE FROM {target}")
                    else:
                        where, params = partition.predicate("%s", _upper_quote)
                        cur.execute(f"DELETE FROM {target} WHERE {where}", params)
                    if data.num_rows:
                        names = ", ".join(_upper_quote(f.name) for f in data.schema)
                        slots = ", ".join(["%s"] * len(data.schema))
                        rows = [tuple(row.values()) for row in data.to_pylist()]
                        cur.executemany(f"INSERT INTO {target} ({names}) VALUES ({slots})", rows)
                cur.execute("COMMIT")
            except Exception:
                cur.execute("ROLLBACK")
                raise
        return sum(data.num_rows for _, data, _ in targets)

    def row_count(self, table: TableRef, partition: Partition | None = None) -> int:
        sql = f"SELECT count(*) FROM {_quoted(table.physical().upper())}"
        params: list[Any] = []
        if partition is not None:
            where, params = partition.predicate("%s", _upper_quote)
            sql += f" WHERE {where}"
        with self._resource().get_connection() as conn:
            return conn.cursor().execute(sql, params).fetchone()[0]
