"""The Snowflake side of the replication, through dlt's Snowflake destination and the
real snowflake-connector pointed at fakesnow's server (the root `snowflake` fixture,
PROD: the STITCH database).

What fakesnow can run is tested here: the connection the destination builds from the
warehouse resource, and the cursor, boundary fingerprint and column types read back
from a replica, which decide what a sync reads and whether a column changed type.
A load itself does not run on fakesnow (0.12): dlt sends its DDL as one multi-statement
request, which fakesnow's server cannot split, and (multi-statement requests turned
off) uploads each file with `PUT 'file://…' '@<stage>/"<load id>"'`, whose quoted stage
location fakesnow rejects ("does not start with @"); see README, Cloud product
replication.
"""

import datetime as dt

import dlt

from dop_cloud_usage.destination import destination
from dop_cloud_usage.replica import read_replicas
from dop_cloud_usage.tables import LOW_FREQ

LATEST = dt.datetime(2026, 6, 30, 12, 0, 0)


def test_the_cursor_and_column_types_are_read_back_from_a_snowflake_replica(snowflake, tmp_path):
    with snowflake._resource().get_connection() as conn:
        cur = conn.cursor()
        cur.execute("create database if not exists STITCH")
        cur.execute(f"create schema if not exists STITCH.{LOW_FREQ.upper()}")
        cur.execute(
            f"create table STITCH.{LOW_FREQ.upper()}.PLANS "
            "(ID NUMBER(19,0), NAME VARCHAR, UPDATED_AT TIMESTAMP_NTZ)"
        )
        cur.executemany(
            f"insert into STITCH.{LOW_FREQ.upper()}.PLANS values (%s, %s, %s)",
            [(1, "free", LATEST - dt.timedelta(days=1)), (2, "team", LATEST), (5, "pro", LATEST)],
        )
    with destination(snowflake, LOW_FREQ) as stitch:
        assert stitch.destination_name == "snowflake"
        pipeline = dlt.pipeline(
            pipeline_name="snowflake_replica",
            pipelines_dir=str(tmp_path),
            destination=stitch,
            dataset_name=LOW_FREQ,
        )
        with pipeline.destination_client() as client:
            replicas = read_replicas(client, ["plans", "deployments"])
    plans = replicas["plans"]
    assert plans.loaded and plans.cursor == LATEST
    assert plans.at_cursor == (2, 2 + 5)  # rows at the cursor: ids 2 and 5
    types = {name: column["data_type"] for name, column in plans.columns.items()}
    assert types == {"id": "bigint", "name": "text", "updated_at": "timestamp"}
    assert not replicas["deployments"].loaded and replicas["deployments"].cursor is None
