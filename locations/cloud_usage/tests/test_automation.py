"""Schedules per sync group (running in PROD only), freshness checks on every replica,
dbt models rebuilt by declarative automation."""

import dagster as dg

from dop_cloud_usage.automation import freshness_checks
from dop_cloud_usage.definitions import defs
from dop_cloud_usage.replication import replication_assets
from dop_cloud_usage.source_database import CloudProductDatabase
from dop_cloud_usage.tables import TABLES, table_ref
from dop_shared.warehouse import DuckDBWarehouse


def _schedules(loaded: dg.Definitions) -> dict[str, dg.ScheduleDefinition]:
    return {s.job.name: s for s in loaded.schedules}


def test_high_frequency_syncs_every_15_minutes_low_daily_running_only_in_prod(
    monkeypatch, dbt_manifest
):
    local = _schedules(defs())
    assert local["cloud_usage_high_freq_sync"].cron_schedule == "*/15 * * * *"
    assert local["cloud_usage_low_freq_sync"].cron_schedule == "30 1 * * *"
    assert {s.default_status for s in local.values()} == {dg.DefaultScheduleStatus.STOPPED}
    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")
    prod = defs()
    assert {s.default_status for s in _schedules(prod).values()} == {
        dg.DefaultScheduleStatus.RUNNING
    }
    assert {s.default_status for s in prod.sensors} == {dg.DefaultSensorStatus.RUNNING}


def test_every_replica_has_a_freshness_check_and_dbt_models_are_automated(dbt_manifest):
    loaded = defs()
    checked = {key.asset_key for c in loaded.asset_checks for key in c.check_keys}
    assert checked == {table_ref(t).asset_key for tables in TABLES.values() for t in tables}
    graph = loaded.resolve_asset_graph()
    staging = dg.AssetKey(["purina", "staging", "stg_postgres_etl_high_freq__runs"])
    assert table_ref("runs").asset_key in graph.get(staging).parent_keys
    dbt_keys = [k for k in graph.get_all_asset_keys() if k.path[0] == "purina"]
    assert dbt_keys and all(graph.get(k).automation_condition is not None for k in dbt_keys)


def test_freshness_check_passes_after_a_sync_and_fails_without_one(product_db):
    instance = dg.DagsterInstance.ephemeral()
    resources = {"warehouse": DuckDBWarehouse(), "cloud_product_db": CloudProductDatabase()}
    dg.materialize(
        replication_assets(),
        selection=[table_ref("plans").asset_key],
        resources=resources,
        instance=instance,
    )
    checks = freshness_checks()
    result = dg.materialize(
        [*replication_assets(), *checks],
        selection=dg.AssetSelection.checks(*checks),
        resources=resources,
        instance=instance,
    )
    passed = {e.asset_key.path[-1]: e.passed for e in result.get_asset_check_evaluations()}
    assert passed["plans"] is True
    assert passed["runs"] is False
