"""Schedules per sync group (running in PROD only), a freshness policy on every replica
(evaluated by Dagster's own freshness evaluation), dbt models rebuilt by declarative
automation."""

import datetime as dt

import dagster as dg
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.test_utils import create_test_daemon_workspace_context
from dagster._core.workspace.load_target import ModuleTarget
from dagster._daemon.freshness import FreshnessDaemon

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


def test_every_replica_has_a_freshness_policy_and_dbt_models_are_automated(dbt_manifest):
    loaded = defs()
    graph = loaded.resolve_asset_graph()
    windows = {
        key: graph.get(key).freshness_policy.fail_window.to_timedelta()
        for key in graph.get_all_asset_keys()
        if key.path[0] == "stitch"
    }
    assert windows == {
        table_ref(t).asset_key: dt.timedelta(hours=1 if group.endswith("high_freq") else 26)
        for group, tables in TABLES.items()
        for t in tables
    }
    assert all("freshness" not in s.name for s in loaded.sensors)
    staging = dg.AssetKey(["purina", "staging", "stg_postgres_etl_high_freq__runs"])
    assert table_ref("runs").asset_key in graph.get(staging).parent_keys
    dbt_keys = [k for k in graph.get_all_asset_keys() if k.path[0] == "purina"]
    assert dbt_keys and all(graph.get(k).automation_condition is not None for k in dbt_keys)


def _freshness(instance: dg.DagsterInstance) -> dict[str, FreshnessState]:
    """One pass of Dagster's freshness daemon over the location, as a deployment runs it."""
    target = ModuleTarget(
        module_name="dop_cloud_usage.definitions",
        attribute="defs",
        working_directory=None,
        location_name="cloud_usage",
    )
    with create_test_daemon_workspace_context(target, instance) as workspace:
        list(FreshnessDaemon().run_iteration(workspace))
    keys = [table_ref(t).asset_key for t in ("plans", "runs")]
    records = instance.get_freshness_state_records(keys)
    return {key.path[-1]: record.freshness_state for key, record in records.items()}


def test_freshness_passes_after_a_sync_and_fails_when_the_last_is_too_old(product_db, dbt_manifest):
    with dg.instance_for_test() as instance:
        resources = {"warehouse": DuckDBWarehouse(), "cloud_product_db": CloudProductDatabase()}
        dg.materialize(
            replication_assets(),
            selection=[table_ref("plans").asset_key],
            resources=resources,
            instance=instance,
        )
        assert _freshness(instance) == {
            "plans": FreshnessState.PASS,
            "runs": FreshnessState.UNKNOWN,
        }
        # a sync of `runs` recorded two hours ago: past its one-hour window
        _materialized_at(instance, table_ref("runs").asset_key, hours_ago=2)
        assert _freshness(instance) == {"plans": FreshnessState.PASS, "runs": FreshnessState.FAIL}


def _materialized_at(instance: dg.DagsterInstance, key: dg.AssetKey, hours_ago: float) -> None:
    from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
    from dagster._core.instance.utils import RUNLESS_JOB_NAME, RUNLESS_RUN_ID

    when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
    instance.report_dagster_event(
        DagsterEvent(
            event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
            event_specific_data=StepMaterializationData(dg.AssetMaterialization(key)),
            job_name=RUNLESS_JOB_NAME,
        ),
        run_id=RUNLESS_RUN_ID,
        timestamp=when.timestamp(),
    )
