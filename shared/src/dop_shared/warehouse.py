"""The warehouse that ingestion assets write to: DuckDB locally, Snowflake otherwise.

Both implement one small contract: put rows into a logical table, replacing either
the whole table or one partition of it, in a single transaction, so a failed load
leaves the previous content and a repeated load never duplicates rows. Rows come
either as Arrow tables (`replace`) or as SQL queries over a DuckDB *staging area*
(`staging` + `StagingArea.publish`), where heavy ingestion shapes its input. On
DuckDB the staging area is the warehouse itself, so publishing is one
INSERT ... SELECT with no copy; elsewhere the query result is fetched as Arrow and
replaced like any other. Locations only ever see `Warehouse`; which one they get is
decided by `dop_shared.resources` from the environment.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import dagster as dg
import pyarrow as pa
from pydantic import Field

from dop_shared import environment, paths
from dop_shared.sql import quote_identifier


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

    def model_physical(self) -> str:
        """database.schema.table of a dbt model in the current environment (dbt writes
        SANDBOX / PURINA_CLONE_<pr> / PURINA, in the engineer's sandbox schema if set)."""
        schema = environment.physical_schema(self.schema)
        return f"{environment.models_database()}.{schema}.{self.name}"


@dataclass(frozen=True)
class Partition:
    """Rows of a table whose `column` is `value`, or in [value, end) when `end` is given
    (a week of daily rows, say)."""

    column: str
    value: Any
    end: Any = None

    def predicate(self, placeholder: str, quote=None) -> tuple[str, list[Any]]:
        column = (quote or quote_identifier)(self.column)
        if self.end is None:
            return f"{column} = {placeholder}", [self.value]
        return f"{column} >= {placeholder} AND {column} < {placeholder}", [self.value, self.end]


def _quoted(physical_name: str) -> str:
    return ".".join(quote_identifier(part) for part in physical_name.split("."))


@dataclass(frozen=True)
class StagedWrite:
    """Replace `table` (or its `partition`) with the rows of `query`, a SELECT run in a
    staging connection with `params`."""

    table: TableRef
    query: str
    params: dict[str, Any] | None = None
    partition: Partition | None = None
    # Columns of random values (salted hashes) that the DuckDB warehouse stores
    # uncompressed (see INCOMPRESSIBLE); other warehouses compress as they do.
    uncompressed: tuple[str, ...] = ()


@functools.cache
def available_cores() -> int:
    """The cores this process may run on: its CPU affinity, capped by its container's CPU
    quota. os.cpu_count() sees neither: in a pod limited to 2 CPUs on a 16-core node it
    says 16, and the loads would start 4 days of 4 threads each. The quota is read from
    the cgroup by DuckDB itself for its default thread count (a fresh in-memory
    database's `threads`), rather than by a second parser of cgroup files here."""
    import duckdb

    with duckdb.connect() as conn:
        [(duckdb_default,)] = conn.execute("SELECT current_setting('threads')").fetchall()
    cores = int(duckdb_default)
    if hasattr(os, "sched_getaffinity"):  # Linux; macOS has no affinity to read
        cores = min(cores, len(os.sched_getaffinity(0)))
    return max(1, cores)


class StagingArea:
    """A DuckDB database in which ingestion shapes incoming data with SQL before
    publishing it. One per run; each thread takes its own `connection()`, whose temp
    tables are private to it."""

    def __init__(self, database: Any):
        self._database = database

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        conn = self._database.cursor()
        try:
            conn.execute("SET enable_progress_bar = false")
            yield conn
        finally:
            conn.close()

    def share_cores(self, connections: int) -> None:
        """Split the cores between `connections` working at once. DuckDB gives every query
        all the cores; queries run side by side then contend for them: a 30-day Slack
        load's step took ~7% longer on two cores (5.9 to 6.1 s against 5.5 to 5.6 s)."""
        threads = max(1, available_cores() // max(connections, 1))
        self._database.execute(f"SET threads = {threads}")

    def publish(self, conn: Any, writes: list[StagedWrite]) -> list[int]:
        """Run every write's query in `conn` and land all results in one transaction:
        all of them, or none. Returns the rows written per write."""
        raise NotImplementedError


class _ArrowStaging(StagingArea):
    """Staging in a private in-memory DuckDB; results go to the warehouse as Arrow."""

    def __init__(self, database: Any, warehouse: Warehouse):
        super().__init__(database)
        self._warehouse = warehouse

    def publish(self, conn: Any, writes: list[StagedWrite]) -> list[int]:
        # every query runs to the end before anything is written: a query that fails
        # (a contract check, say) leaves the warehouse untouched
        tables = [conn.sql(w.query, params=w.params).to_arrow_table() for w in writes]
        self._warehouse.replace_many(
            [(w.table, data, w.partition) for w, data in zip(writes, tables, strict=True)]
        )
        return [data.num_rows for data in tables]


# How the DuckDB warehouse stores a column of random values: uncompressed. DICT_FSST,
# DuckDB's choice for the hex of a salted SHA-256, halves it (back to the hash's own 32
# bytes) but its search is the costliest part of writing the column: a quarter of a
# Slack day's INSERT and COMMIT (~20 ms of ~75 ms for ~46K rows; 6% of a 30-day load's
# CPU), measured on DuckDB 2.0. The price is ~30 bytes a row on disk (the bench's 30
# days: 84 to 126 MB). Only this local warehouse: Snowflake compresses as it does.
INCOMPRESSIBLE = "USING COMPRESSION uncompressed"


def _columns(conn: Any, write: StagedWrite) -> dict[str, str]:
    """Each column of the write's query: its name -> its definition in DuckDB DDL."""
    described = conn.execute(
        f"DESCRIBE SELECT * FROM ({write.query}) AS incoming", write.params
    ).fetchall()
    unknown = set(write.uncompressed) - {name for name, *_ in described}
    if unknown:
        raise ValueError(f"{write.table.physical()} has no column {', '.join(sorted(unknown))}")
    return {
        name: f"{quote_identifier(name)} {column_type}"
        + (f" {INCOMPRESSIBLE}" if name in write.uncompressed else "")
        for name, column_type, *_ in described
    }


class _DuckDBStaging(StagingArea):
    """Staging inside the DuckDB warehouse: publishing is INSERT ... SELECT, no copy."""

    def __init__(self, database: Any):
        super().__init__(database)
        # Two transactions creating the same table conflict in DuckDB's catalog, so tables
        # are created once per run, under a lock, outside the writes' transactions.
        self._ddl_lock = threading.Lock()
        self._created: set[str] = set()

    def _ensure_table(self, conn: Any, write: StagedWrite, target: str) -> None:
        """Create the target's schema and, for a partition write, the target from the
        query's columns, or add the columns it lacks: a table written before its source
        gained a field is migrated in place (its rows get NULL there), never rebuilt by
        hand. A whole-table write creates its table itself, in its transaction."""
        with self._ddl_lock:
            if target in self._created:
                return
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {target.rsplit('.', 1)[0]}")
            if write.partition is not None:
                columns = _columns(conn, write)
                conn.execute(f"CREATE TABLE IF NOT EXISTS {target} ({', '.join(columns.values())})")
                existing = {
                    name.lower() for name, *_ in conn.execute(f"DESCRIBE {target}").fetchall()
                }
                for name, definition in columns.items():
                    if name.lower() not in existing:
                        conn.execute(f"ALTER TABLE {target} ADD COLUMN {definition}")
            self._created.add(target)

    def publish(self, conn: Any, writes: list[StagedWrite]) -> list[int]:
        targets = [_quoted(w.table.physical()) for w in writes]
        for write, target in zip(writes, targets, strict=True):
            self._ensure_table(conn, write, target)
        counts = []
        conn.execute("BEGIN TRANSACTION")
        try:
            for write, target in zip(writes, targets, strict=True):
                if write.partition is None:
                    # a whole table follows its source's columns (a full refresh)
                    columns = ", ".join(_columns(conn, write).values())
                    conn.execute(f"CREATE OR REPLACE TABLE {target} ({columns})")
                else:
                    where, values = write.partition.predicate("?")
                    conn.execute(f"DELETE FROM {target} WHERE {where}", values)
                [(rows,)] = conn.execute(
                    f"INSERT INTO {target} BY NAME {write.query}", write.params
                ).fetchall()
                counts.append(rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return counts


# Memory of a private staging database; DuckDB spills to disk beyond it.
STAGING_MEMORY_LIMIT = "512MB"


class Warehouse(dg.ConfigurableResource):
    """What ingestion needs from a warehouse; see DuckDBWarehouse and SnowflakeWarehouse."""

    def replace(self, table: TableRef, data: pa.Table, partition: Partition | None = None) -> int:
        """Replace the table (or one partition of it) with `data`; returns rows written."""
        return self.replace_many([(table, data, partition)])

    def replace_many(self, writes: list[tuple[TableRef, pa.Table, Partition | None]]) -> int:
        """Several replaces in one transaction: all of them land, or none does."""
        raise NotImplementedError

    @contextlib.contextmanager
    def staging(self) -> Iterator[StagingArea]:
        """A DuckDB staging area for this run (see StagingArea); by default a private
        in-memory database whose results are written with `replace_many`."""
        import duckdb

        database = duckdb.connect(config={"memory_limit": STAGING_MEMORY_LIMIT})
        try:
            yield _ArrowStaging(database, self)
        finally:
            database.close()

    def row_count(self, table: TableRef, partition: Partition | None = None) -> int:
        raise NotImplementedError

    def rows(self, physical: str, partition: Partition | None = None) -> list[dict[str, Any]]:
        """The rows of a table (or of one partition of it) by physical name, column names
        in lower case; none when the table does not exist yet. For small lookups."""
        raise NotImplementedError


# Rows per row group of what this warehouse writes (DuckDB's default: 122,880). A
# transaction's full row groups are compressed straight into the file as it inserts;
# the rest goes through the write-ahead log and is compressed again at checkpoint. A
# daily partition is ~70-100K rows, under the default, so all of it took the long way.
# At 16K rows only a day's last, partial group does: writing 520K telemetry rows took
# 1.7 s of CPU against 3.1 s at the default and 2.4 s at 32K, for a file 20% smaller
# than the default's (measured on bench/telemetry_ingestion.py's data, DuckDB 2.0).
ROW_GROUP_SIZE = 16_384


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
                if read_only and file.exists():
                    conn.execute(f"ATTACH '{file}' AS {name} (READ_ONLY)")
                else:
                    conn.execute(f"ATTACH '{file}' AS {name} (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def staging(self) -> Iterator[StagingArea]:
        with self.connect() as conn:
            yield _DuckDBStaging(conn)

    def replace_many(self, writes: list[tuple[TableRef, pa.Table, Partition | None]]) -> int:
        with self.staging() as area, area.connection() as conn:
            staged = []
            for index, (table, data, partition) in enumerate(writes):
                conn.register(f"incoming_{index}", data)
                staged.append(
                    StagedWrite(table, f"SELECT * FROM incoming_{index}", None, partition)
                )
            return sum(area.publish(conn, staged))

    def row_count(self, table: TableRef, partition: Partition | None = None) -> int:
        with self.connect(read_only=True) as conn:
            sql = f"SELECT count(*) FROM {_quoted(table.physical())}"
            params: list[Any] = []
            if partition is not None:
                where, params = partition.predicate("?")
                sql += f" WHERE {where}"
            return conn.execute(sql, params).fetchone()[0]

    def rows(self, physical: str, partition: Partition | None = None) -> list[dict[str, Any]]:
        database, schema, table = physical.split(".")
        with self.connect(read_only=True) as conn:
            [(exists,)] = conn.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE lower(database_name) = lower(?) "
                "AND lower(schema_name) = lower(?) AND lower(table_name) = lower(?)",
                [database, schema, table],
            ).fetchall()
            if not exists:
                return []
            sql, params = _select_all(_quoted(physical), partition, "?", quote_identifier)
            cursor = conn.execute(sql, params)
            return _as_dicts(cursor.description, cursor.fetchall())


def _select_all(target: str, partition: Partition | None, placeholder: str, quote):
    if partition is None:
        return f"SELECT * FROM {target}", []
    where, params = partition.predicate(placeholder, quote)
    return f"SELECT * FROM {target} WHERE {where}", params


def _as_dicts(description: Any, rows: list[tuple]) -> list[dict[str, Any]]:
    names = [column[0].lower() for column in description]
    return [dict(zip(names, row, strict=True)) for row in rows]


_ARROW_TO_SNOWFLAKE = (
    (pa.types.is_boolean, "BOOLEAN"),
    (pa.types.is_integer, "NUMBER(38,0)"),
    (pa.types.is_floating, "FLOAT"),
    (pa.types.is_date, "DATE"),
    (pa.types.is_timestamp, "TIMESTAMP_NTZ"),
)


def _upper_quote(identifier: str) -> str:
    return quote_identifier(identifier.upper())


def _snowflake_type(arrow_type: pa.DataType) -> str:
    for matches, sql_type in _ARROW_TO_SNOWFLAKE:
        if matches(arrow_type):
            return sql_type
    return "VARCHAR"


def _add_missing_columns(cur: Any, physical: str, schema: pa.Schema) -> None:
    """ALTER TABLE ADD COLUMN for the fields of `schema` that the table lacks (the same
    additive migration as on DuckDB: old rows read NULL there)."""
    database, schema_name, table = physical.split(".")
    cur.execute(
        f"SELECT column_name FROM {quote_identifier(database)}.information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s",
        (schema_name, table),
    )
    existing = {name.upper() for (name,) in cur.fetchall()}
    for field in schema:
        if field.name.upper() not in existing:
            cur.execute(
                f"ALTER TABLE {_quoted(physical)} ADD COLUMN "
                f"{_upper_quote(field.name)} {_snowflake_type(field.type)}"
            )


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
                _add_missing_columns(cur, physical, data.schema)
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

    def rows(self, physical: str, partition: Partition | None = None) -> list[dict[str, Any]]:
        upper = physical.upper()
        database, schema, table = upper.split(".")
        with self._resource().get_connection() as conn:
            cur = conn.cursor()
            cur.execute(
                f"SELECT count(*) FROM {quote_identifier(database)}.information_schema.tables "
                "WHERE table_schema = %s AND table_name = %s",
                (schema, table),
            )
            if not cur.fetchone()[0]:
                return []
            sql, params = _select_all(_quoted(upper), partition, "%s", _upper_quote)
            cur.execute(sql, params)
            return _as_dicts(cur.description, cur.fetchall())
