"""The replicas go to the environment's STITCH database, named by dop_shared's rules."""

from pathlib import Path

from dop_cloud_usage.destination import destination
from dop_shared.warehouse import DuckDBWarehouse, SnowflakeWarehouse


def test_local_replicas_go_to_the_stitch_duckdb_file(tmp_path):
    with destination(DuckDBWarehouse(data_dir=str(tmp_path)), "postgres_etl_high_freq") as dest:
        assert dest.destination_name == "duckdb"
        conn = dest.config_params["credentials"]
        [(path,)] = conn.execute(
            "SELECT path FROM duckdb_databases() WHERE NOT internal"
        ).fetchall()
    assert Path(path) == tmp_path / "warehouse" / "stitch.duckdb"


def test_a_branch_deployment_writes_its_stitch_clone_on_snowflake(monkeypatch):
    monkeypatch.setenv("DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT", "1")
    monkeypatch.setenv("DAGSTER_CLOUD_PULL_REQUEST_ID", "12")
    warehouse = SnowflakeWarehouse(account="org-acct", user="loader", password="secret")
    with destination(warehouse, "postgres_etl_low_freq") as dest:
        assert dest.destination_name == "snowflake"
        credentials = dest.config_params["credentials"]
    assert credentials["database"] == "STITCH_CLONE_12"
    assert (credentials["host"], credentials["username"]) == ("org-acct", "loader")
