"""Replication from a real PostgreSQL server (and the local SQLite copy) into the STITCH
DuckDB file, through dlt, as Dagster runs it."""

import dagster as dg
import pytest

from dop_cloud_usage.definitions import defs
from dop_cloud_usage.replication import replication_assets
from dop_cloud_usage.source_database import CloudProductDatabase
from dop_cloud_usage.tables import TABLES, table_ref
from dop_shared.warehouse import DuckDBWarehouse

ALL_TABLES = [t for tables in TABLES.values() for t in tables]
# An update the product makes after the last sync: past every row's updated_at.
LATER = "(select max(updated_at) + interval '1 hour' from {table})"


def replicate(*tables: str, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    selection = [table_ref(t).asset_key for t in tables or ALL_TABLES]
    return dg.materialize(
        replication_assets(),
        selection=selection,
        resources={"warehouse": DuckDBWarehouse(), "cloud_product_db": CloudProductDatabase()},
        raise_on_error=raise_on_error,
    )


def figures(result, table: str) -> dict:
    key = table_ref(table).asset_key
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == key]
    return {k: getattr(v, "value", v) for k, v in event.materialization.metadata.items()}


def replica(query: str):
    with DuckDBWarehouse().connect() as conn:
        return conn.execute(query).fetchall()


def failure_text(result) -> str:
    return "\n".join(
        e.event_specific_data.error.to_string() for e in result.get_step_failure_events()
    )


def test_every_table_is_replicated_and_a_rerun_writes_nothing(product_db):
    first = replicate()
    for table in ALL_TABLES:
        source_rows = product_db.scalar(f"select count(*) from {table}")
        assert source_rows > 0, table
        found = figures(first, table)
        assert found["rows_written"] == found["rows_read"] == source_rows, table
        assert found["dagster/row_count"] == source_rows, table
        assert found["dagster/table_name"] == f"STITCH.{table_ref(table).schema}.{table}"
        assert "id" in [c.name for c in found["dagster/column_schema"].columns]
    cursor = product_db.scalar("select max(updated_at) from runs")
    assert figures(first, "runs")["cursor"] == str(cursor)

    # A new run starts from an empty dlt folder: the cursor comes back from the replica.
    second = replicate()
    assert {t: figures(second, t)["rows_written"] for t in ALL_TABLES} == dict.fromkeys(
        ALL_TABLES, 0
    )
    assert replica("select count(*) from stitch.postgres_etl_high_freq.runs")[0][0] == (
        product_db.scalar("select count(*) from runs")
    )


def test_updated_and_soft_deleted_rows_are_merged_not_duplicated(product_db):
    replicate()
    versions = "select id, updated_at, deleted_at from {} order by id"
    deployments = replica(versions.format("stitch.postgres_etl_low_freq.deployments"))
    product_db.advance(days=3)  # branch deployments close (soft delete), runs finish, ...
    result = replicate()
    for table in ALL_TABLES:
        rows, ids = replica(
            f"select count(*), count(distinct id) from {table_ref(table).physical()}"
        )[0]
        assert rows == ids == product_db.scalar(f"select count(*) from {table}"), table
    after = replica(versions.format("stitch.postgres_etl_low_freq.deployments"))
    assert [tuple(r) for r in after] == product_db.rows(versions.format("deployments"))
    before = {row[0]: row for row in deployments}
    updated = [row for row in after if row[0] in before and row != before[row[0]]]
    soft_deleted = [row for row in updated if row[2] is not None and before[row[0]][2] is None]
    assert updated and soft_deleted
    new = len(after) - len(deployments)
    assert figures(result, "deployments")["rows_written"] == len(updated) + new


def test_increments_merged_without_dlt_match_the_source_row_for_row(product_db):
    # runs and deployments replicated before the product moves on; the others are not
    replicate("runs", "deployments")
    product_db.advance(days=3)  # new, updated and soft-deleted rows
    result = replicate()
    for table in ALL_TABLES:
        found = figures(result, table)
        # an increment into a loaded replica skips dlt; a first load goes through it
        expected = "direct merge" if table in ("runs", "deployments") else "dlt"
        assert found["loaded_by"] == expected, table
        columns = [c.name for c in found["dagster/column_schema"].columns]
        query = f"select {', '.join(columns)} from {{}} order by id"
        assert replica(query.format(table_ref(table).physical())) == product_db.rows(
            query.format(table)
        ), table
    runs = figures(result, "runs")
    assert runs["rows_written"] == runs["rows_read"] > 0
    assert runs["dagster/row_count"] == product_db.scalar("select count(*) from runs")
    assert runs["cursor"] == str(product_db.scalar("select max(updated_at) from runs"))


def test_a_row_added_at_exactly_the_cursor_is_not_skipped(product_db):
    replicate("plans", "organizations")
    # a new row stamped with the very timestamp the replica's cursor holds
    product_db.execute(
        "create temp table newcomer as select * from plans "
        "where updated_at = (select max(updated_at) from plans) limit 1",
        "update newcomer set id = (select max(id) + 1 from plans)",
        "insert into plans select * from newcomer",
    )
    result = replicate("plans", "organizations")
    new_id = product_db.scalar("select max(id) from plans")
    [(rows, ids, has_new)] = replica(
        "select count(*), count(distinct id), count(*) filter (where id = "
        f"{new_id}) from stitch.postgres_etl_low_freq.plans"
    )
    assert rows == ids == product_db.scalar("select count(*) from plans") and has_new == 1
    assert figures(result, "plans")["rows_written"] >= 1
    # the untouched table is skipped without reading it
    assert figures(result, "organizations")["rows_read"] == 0
    assert figures(result, "organizations")["dagster/row_count"] == product_db.scalar(
        "select count(*) from organizations"
    )
    again = replicate("plans")
    assert figures(again, "plans")["rows_written"] == figures(again, "plans")["rows_read"] == 0


def test_one_table_is_selectable_alone(product_db):
    result = replicate("plans")
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {
        table_ref("plans").asset_key
    }
    tables = {row[0] for row in replica("select table_name from duckdb_tables()")}
    assert "plans" in tables and "runs" not in tables


def test_an_added_column_is_replicated_and_reported(product_db):
    replicate("organizations")
    product_db.execute(
        "alter table organizations add column region text",
        "update organizations set region = 'eu', "
        f"updated_at = {LATER.format(table='organizations')} where id % 2 = 0",
    )
    result = replicate("organizations")
    found = figures(result, "organizations")
    assert found["columns_added"] == "region"
    assert found["loaded_by"] == "dlt"  # dlt evolves the replica's columns
    assert "region" in [c.name for c in found["dagster/column_schema"].columns]
    [(rows, regions)] = replica(
        "select count(*), count(region) from stitch.postgres_etl_low_freq.organizations"
    )
    assert rows == product_db.scalar("select count(*) from organizations")
    assert regions == product_db.scalar("select count(*) from organizations where id % 2 = 0")


def test_a_dropped_column_keeps_rows_loading_and_fails_the_check(product_db):
    replicate("runs")
    product_db.execute(
        "alter table runs drop column job_name",
        f"update runs set updated_at = {LATER.format(table='runs')} where id % 10 = 0",
    )
    result = replicate("runs", raise_on_error=False)
    assert result.success
    [check] = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == table_ref("runs").asset_key
    ]
    assert not check.passed
    assert "job_name" in check.description and "postgres_etl_high_freq.runs" in check.description
    assert figures(result, "runs")["rows_written"] == product_db.scalar(
        "select count(*) from runs where id % 10 = 0"
    )
    assert replica("select count(*) from stitch.postgres_etl_high_freq.runs")[0][0] == (
        product_db.scalar("select count(*) from runs")
    )


def test_a_retyped_column_fails_naming_both_types_and_leaves_the_replica(product_db):
    replicate("plans")
    before = replica("select * from stitch.postgres_etl_low_freq.plans order by id")
    product_db.execute(
        "alter table plans alter column monthly_price_usd type text "
        "using monthly_price_usd || ' USD'",
        f"update plans set updated_at = {LATER.format(table='plans')}",
    )
    result = replicate("plans", raise_on_error=False)
    assert not result.success
    message = failure_text(result)
    assert "STITCH.postgres_etl_low_freq.plans.monthly_price_usd" in message
    assert "bigint" in message and "text" in message
    assert replica("select * from stitch.postgres_etl_low_freq.plans order by id") == before
    [(kind,)] = replica(
        "select data_type from duckdb_columns() where schema_name = 'postgres_etl_low_freq' "
        "and table_name = 'plans' and column_name = 'monthly_price_usd'"
    )
    assert kind == "BIGINT"


@pytest.mark.parametrize("fault", ["host", "password"])
def test_an_unreachable_source_fails_naming_it_and_writes_nothing(
    postgres, product_db, data_dir, monkeypatch, fault
):
    database = product_db.url.rsplit("/", 1)[1]
    wrong_password = "not-the-password-1234"
    url = (
        postgres.url(database, password=wrong_password)
        if fault == "password"
        else postgres.url(database).replace("127.0.0.1", "nonexistent.invalid")
    )
    monkeypatch.setenv("CLOUD_PRODUCT_DATABASE_URL", url)
    result = replicate(raise_on_error=False)
    assert not result.success
    message = failure_text(result)
    host = "nonexistent.invalid" if fault == "host" else "127.0.0.1"
    assert f"postgresql database {host}/{database}" in message
    assert wrong_password not in message and postgres.password not in message
    assert not (data_dir / "warehouse" / "stitch.duckdb").exists()


def test_the_local_sqlite_copy_is_read_through_the_same_code(data_dir):
    result = replicate("runs", "organizations")
    import sqlite3

    with sqlite3.connect(data_dir / "sources/cloud_product/cloud_product.sqlite") as source:
        expected = source.execute("select count(*) from runs").fetchone()[0]
    assert figures(result, "runs")["rows_written"] == expected > 0


def test_missing_local_copy_says_how_to_make_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DOP_DATA_DIR", str(tmp_path))
    result = replicate("plans", raise_on_error=False)
    assert not result.success
    message = failure_text(result)
    assert "cloud_product.sqlite" in message and "dop-sample-data" in message


def test_location_loads_alone(dbt_manifest):
    loaded = defs()
    keys = {k.to_user_string() for a in loaded.assets for k in a.keys}
    assert {f"stitch/{table_ref(t).schema}/{t}" for t in ALL_TABLES} <= keys
    assert "purina/cloud_usage/fct_cloud_organization_usage_daily" in keys
    assert not any(k.startswith("purina/telemetry/") for k in keys)


def test_a_soft_delete_reaches_staging_flagged(product_db, dbt_manifest):
    import json

    from dop_shared.dbt import dbt_vars
    from dop_shared.resources import dbt_resource

    replicate("deployments", "organizations", "plans")
    last_id = product_db.scalar("select max(id) from deployments")
    closed_before = product_db.scalar(
        "select count(*) from deployments where deleted_at is not null"
    )
    product_db.advance(days=3)
    replicate("deployments")
    model = "stg_postgres_etl_low_freq__deployments"
    dbt_resource().cli(["run", "--select", model, "--vars", json.dumps(dbt_vars())]).wait()
    [(flagged, deleted_at)] = replica(
        "select count(*) filter (where is_deleted), count(deleted_at) "
        "from sandbox.staging.stg_postgres_etl_low_freq__deployments"
    )
    expected = product_db.scalar("select count(*) from deployments where deleted_at is not null")
    assert flagged == deleted_at == expected
    # some deployments open before the advance were closed by it
    closed_since = product_db.scalar(
        f"select count(*) from deployments where deleted_at is not null and id <= {last_id}"
    )
    assert closed_since > closed_before
