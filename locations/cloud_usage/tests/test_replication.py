"""Replication from the SQLite copy through SQLAlchemy into the STITCH DuckDB file."""

import sqlite3

import dagster as dg

from dop_cloud_usage.definitions import defs
from dop_cloud_usage.replication import cloud_product_high_freq, cloud_product_low_freq
from dop_cloud_usage.source_database import CloudProductDatabase
from dop_shared.warehouse import DuckDBWarehouse


def _counts(conn, tables):
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


def test_every_row_is_copied_and_a_rerun_does_not_duplicate(data_dir):
    resources = {"warehouse": DuckDBWarehouse(), "cloud_product_db": CloudProductDatabase()}
    for _ in range(2):
        result = dg.materialize(
            [cloud_product_high_freq, cloud_product_low_freq], resources=resources
        )
        assert result.success
    with sqlite3.connect(data_dir / "sources/cloud_product/cloud_product.sqlite") as source:
        expected = _counts(source, ["runs", "organizations", "deployments"])
    with DuckDBWarehouse().connect(read_only=True) as conn:
        copied = {
            "runs": _counts(conn, ["stitch.postgres_etl_high_freq.runs"])[
                "stitch.postgres_etl_high_freq.runs"
            ],
            "organizations": conn.execute(
                "select count(*) from stitch.postgres_etl_low_freq.organizations"
            ).fetchone()[0],
            "deployments": conn.execute(
                "select count(*) from stitch.postgres_etl_low_freq.deployments"
            ).fetchone()[0],
        }
        replicated_at = conn.execute(
            "select count(distinct _replicated_at) from stitch.postgres_etl_high_freq.runs"
        ).fetchone()[0]
    assert copied == expected and expected["runs"] > 0
    assert replicated_at == 1


def test_missing_local_copy_says_how_to_make_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DOP_DATA_DIR", str(tmp_path))
    result = dg.materialize(
        [cloud_product_low_freq],
        resources={"warehouse": DuckDBWarehouse(), "cloud_product_db": CloudProductDatabase()},
        raise_on_error=False,
    )
    assert not result.success
    message = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "cloud_product.sqlite" in message and "dop-sample-data" in message


def test_location_loads_alone(dbt_manifest):
    loaded = defs()
    keys = {k.to_user_string() for a in loaded.assets for k in a.keys}
    assert "stitch/postgres_etl_high_freq/runs" in keys
    assert "purina/cloud_usage/fct_cloud_organization_usage_daily" in keys
    assert not any(k.startswith("purina/telemetry/") for k in keys)
