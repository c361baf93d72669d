"""The Snowflake write path through dagster-snowflake and the real snowflake-connector,
pointed at fakesnow's server (the `snowflake` fixture)."""

import datetime as dt

import pyarrow as pa
import pytest
import snowflake.connector.errors as snowflake_errors

from dop_shared.warehouse import Partition, StagedWrite, TableRef

TABLE = TableRef("purina", "prod_telemetry", "events")


def _day(day: int, ids: list[str]) -> pa.Table:
    return pa.table({"event_id": ids, "event_date": [dt.date(2026, 1, day)] * len(ids)})


def test_partition_replace_is_idempotent_on_snowflake(snowflake):
    first = Partition("event_date", dt.date(2026, 1, 1))
    for _ in range(2):
        snowflake.replace(TABLE, _day(1, ["a", "b"]), first)
        snowflake.replace(TABLE, _day(2, ["c"]), Partition("event_date", dt.date(2026, 1, 2)))
    assert snowflake.row_count(TABLE) == 3
    assert snowflake.row_count(TABLE, first) == 2
    week = Partition("event_date", dt.date(2026, 1, 1), dt.date(2026, 1, 8))
    assert snowflake.row_count(TABLE, week) == 3


def test_a_failed_write_leaves_every_table_as_it_was(snowflake):
    day = Partition("event_date", dt.date(2026, 1, 1))
    other = TableRef("purina", "prod_telemetry", "quarantine")
    snowflake.replace_many([(TABLE, _day(1, ["a"]), day), (other, _day(1, ["q"]), day)])
    broken = pa.table({"event_id": ["x"], "event_date": ["not a date"]})
    with pytest.raises(snowflake_errors.Error, match="not a date"):
        snowflake.replace_many([(other, _day(1, ["q2", "q3"]), day), (TABLE, broken, day)])
    assert snowflake.row_count(TABLE, day) == 1
    assert snowflake.row_count(other, day) == 1


def test_staged_queries_are_published_together_or_not_at_all(snowflake):
    """Staging is local DuckDB; what lands in Snowflake is the queries' results, and a
    query that fails (as a contract check does) writes nothing, not even earlier ones."""
    day = Partition("event_date", dt.date(2026, 1, 1))
    other = TableRef("purina", "prod_telemetry", "never_published")
    rows = "select 'a' as event_id, date '2026-01-01' as event_date"
    with snowflake.staging() as area, area.connection() as conn:
        assert area.publish(conn, [StagedWrite(TABLE, rows, None, day)]) == [1]
        failing = "select 'z' as event_id, cast(error('contract broken') as date) as event_date"
        with pytest.raises(Exception, match="contract broken"):
            area.publish(
                conn, [StagedWrite(other, rows, None, day), StagedWrite(TABLE, failing, None, day)]
            )
    assert snowflake.row_count(TABLE, day) == 1
    with snowflake._resource().get_connection() as conn:
        tables = conn.cursor().execute("show tables in schema PURINA.PROD_TELEMETRY").fetchall()
    assert "NEVER_PUBLISHED" not in {row[1].upper() for row in tables}
