"""DuckDB as local Snowflake: attached databases, atomic and idempotent replaces."""

import datetime as dt

import pyarrow as pa
import pytest

from dop_shared.warehouse import DuckDBWarehouse, Partition, StagedWrite, TableRef

TABLE = TableRef("purina", "prod_telemetry", "events")


def _day(day: int, ids: list[str]) -> pa.Table:
    return pa.table({"event_id": ids, "event_date": [dt.date(2026, 1, day)] * len(ids)})


def test_three_part_names_resolve_to_one_file_per_database(data_dir):
    warehouse = DuckDBWarehouse()
    warehouse.replace(TABLE, _day(1, ["a"]))
    warehouse.replace(TableRef("stitch", "postgres_etl_low_freq", "orgs"), pa.table({"id": [1]}))
    files = sorted(p.name for p in (data_dir / "warehouse").glob("*.duckdb"))
    assert files == ["purina.duckdb", "sandbox.duckdb", "stitch.duckdb"]
    with warehouse.connect(read_only=True) as conn:
        assert conn.execute("select event_id from purina.prod_telemetry.events").fetchall() == [
            ("a",)
        ]
        assert conn.execute("select id from stitch.postgres_etl_low_freq.orgs").fetchall() == [(1,)]


def test_replacing_a_partition_twice_never_duplicates(data_dir):
    warehouse = DuckDBWarehouse()
    for _ in range(2):
        warehouse.replace(TABLE, _day(1, ["a", "b"]), Partition("event_date", dt.date(2026, 1, 1)))
        warehouse.replace(TABLE, _day(2, ["c"]), Partition("event_date", dt.date(2026, 1, 2)))
    assert warehouse.row_count(TABLE) == 3
    assert warehouse.row_count(TABLE, Partition("event_date", dt.date(2026, 1, 1))) == 2


def test_a_failed_replace_keeps_the_previous_rows(data_dir):
    warehouse = DuckDBWarehouse()
    day = Partition("event_date", dt.date(2026, 1, 1))
    warehouse.replace(TABLE, _day(1, ["a", "b"]), day)
    # a value the column's type cannot hold: the insert fails after the delete ran
    broken = pa.table({"event_id": ["x"], "event_date": ["not a date"]})
    with pytest.raises(Exception, match="not a date"):
        warehouse.replace(TABLE, broken, day)
    assert warehouse.row_count(TABLE, day) == 2


def test_a_partition_replace_adds_the_columns_the_table_lacks(data_dir):
    """Incoming rows with a column the table was created without (a field added by the
    source): the table gains it, earlier partitions keep their rows with NULL there."""
    warehouse = DuckDBWarehouse()
    warehouse.replace(TABLE, _day(1, ["a"]), Partition("event_date", dt.date(2026, 1, 1)))
    newer = _day(2, ["b"]).append_column("user_id", pa.array(["u"]))
    warehouse.replace(TABLE, newer, Partition("event_date", dt.date(2026, 1, 2)))
    with warehouse.connect(read_only=True) as conn:
        rows = conn.execute(f"select event_id, user_id from {TABLE.physical()} order by 1")
        assert rows.fetchall() == [("a", None), ("b", "u")]


def test_a_whole_table_replace_follows_the_new_columns(data_dir):
    """A full refresh takes the source's columns: a column added upstream appears, one
    dropped upstream disappears, instead of the load failing."""
    warehouse = DuckDBWarehouse()
    table = TableRef("stitch", "postgres_etl_low_freq", "orgs")
    warehouse.replace(table, pa.table({"id": [1], "name": ["a"]}))
    warehouse.replace(table, pa.table({"id": [2, 3], "plan": ["pro", "free"]}))
    with warehouse.connect(read_only=True) as conn:
        rows = conn.execute(f"select * from {table.physical()} order by id").fetchall()
        columns = [c[0] for c in conn.execute(f"describe {table.physical()}").fetchall()]
    assert columns == ["id", "plan"]
    assert rows == [(2, "pro"), (3, "free")]


def test_physical_name_follows_the_environment(monkeypatch):
    assert TABLE.physical() == "PURINA.prod_telemetry.events"
    monkeypatch.setenv("DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT", "1")
    monkeypatch.setenv("DAGSTER_CLOUD_PULL_REQUEST_ID", "9")
    assert TABLE.physical() == "PURINA_CLONE_9.prod_telemetry.events"


def _storage(conn, physical: str) -> dict[str, set[str]]:
    """column -> the compressions DuckDB chose for its segments (after a checkpoint)."""
    database, schema, table = physical.split(".")
    conn.execute(f"CHECKPOINT {database}")
    rows = conn.execute(
        f"SELECT column_name, compression FROM pragma_storage_info('{physical}') "
        "WHERE segment_type = 'VARCHAR'"
    ).fetchall()
    found: dict[str, set[str]] = {}
    for column, compression in rows:
        found.setdefault(column, set()).add(compression)
    return found


def test_columns_of_random_values_are_stored_uncompressed(data_dir):
    """A write's `uncompressed` columns (salted hashes) skip DuckDB's search for an
    encoding, whether the table is created by the write or gains the column later; the
    other columns keep DuckDB's choice. The values are the same in both columns, and
    repetitive enough that DuckDB would compress them."""
    day = Partition("event_date", dt.date(2026, 1, 1))
    first = "SELECT 'a' AS event_id, DATE '2026-01-01' AS event_date"
    query = (
        "SELECT repeat('ab', 16) AS email_hash, repeat('ab', 16) AS user_id, "
        "DATE '2026-01-01' AS event_date FROM range(50000)"
    )
    with DuckDBWarehouse().staging() as area, area.connection() as conn:
        area.publish(conn, [StagedWrite(TABLE, first, None, day)])  # created without it
    with DuckDBWarehouse().staging() as area, area.connection() as conn:
        write = StagedWrite(TABLE, query, None, day, uncompressed=("email_hash",))
        assert area.publish(conn, [write]) == [50000]
        storage = _storage(conn, TABLE.physical())
        assert storage["email_hash"] == {"Uncompressed"}
        assert "Uncompressed" not in storage["user_id"]

        created = TableRef("purina", "prod_telemetry", "hashes")
        area.publish(conn, [StagedWrite(created, query, None, day, uncompressed=("email_hash",))])
        assert _storage(conn, created.physical())["email_hash"] == {"Uncompressed"}


def test_an_uncompressed_column_the_query_lacks_is_named(data_dir):
    day = Partition("event_date", dt.date(2026, 1, 1))
    query = "SELECT 'a' AS event_id, DATE '2026-01-01' AS event_date"
    with DuckDBWarehouse().staging() as area, area.connection() as conn:
        write = StagedWrite(TABLE, query, None, day, uncompressed=("email_hash",))
        with pytest.raises(ValueError, match="has no column email_hash"):
            area.publish(conn, [write])
