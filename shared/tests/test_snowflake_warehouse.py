"""The Snowflake write path through dagster-snowflake and the real snowflake-connector,
pointed at fakesnow's server (a local process speaking Snowflake's REST protocol)."""

import datetime as dt

import pyarrow as pa
import pytest
import snowflake.connector.errors as snowflake_errors

# The function, taken before fakesnow's own `server` submodule shadows it once imported.
from fakesnow import server as fakesnow_server

from dop_shared.warehouse import Partition, SnowflakeWarehouse, TableRef

TABLE = TableRef("purina", "prod_telemetry", "events")


@pytest.fixture
def snowflake(monkeypatch):
    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")
    with fakesnow_server() as kwargs:
        extra = {k: v for k, v in kwargs.items() if k not in ("user", "password", "account")}
        warehouse = SnowflakeWarehouse(
            account=kwargs["account"],
            user=kwargs["user"],
            password=kwargs["password"],
            connection_args=extra,
        )
        with warehouse._resource().get_connection() as conn:
            conn.cursor().execute("create database if not exists PURINA")
        yield warehouse


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
