"""Declarative automation across code locations, as the Dagster daemon runs it: the three
locations of workspace.yaml loaded in their own processes, one local instance, and the
asset daemon's own evaluation. A new materialization in telemetry leads the reporting
location's sensor to request the reporting marts built on it."""

import datetime as dt
from pathlib import Path

import dagster as dg
from dagster._core.test_utils import (
    create_test_daemon_workspace_context,
    freeze_time,
    instance_for_test,
)
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._daemon.asset_daemon import AssetDaemon

ROOT = Path(__file__).resolve().parents[1]
WEEKLY_REPORT_MART = dg.AssetKey(["purina", "reporting", "rpt_weekly_platform_health"])
TELEMETRY_MART = dg.AssetKey(["purina", "telemetry", "fct_oss_active_instances_weekly"])


def _tick(daemon: AssetDaemon, context) -> None:
    daemon._run_iteration_impl(  # one iteration of the daemon's loop
        context, threadpool_executor=None, amp_tick_futures={}, debug_crash_flags={}
    )


def _materialize_all_partitions(instance, graph, key: dg.AssetKey) -> None:
    partitions_def = graph.get(key).partitions_def
    for partition in partitions_def.get_partition_keys() if partitions_def else [None]:
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))


def _requested(instance) -> set[dg.AssetKey]:
    return {key for run in instance.get_runs() for key in (run.asset_selection or ())}


def test_a_telemetry_materialization_requests_the_reporting_marts(dbt_manifest, monkeypatch):
    monkeypatch.chdir(ROOT)
    queued = {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"}
    with (
        instance_for_test(overrides={"run_coordinator": queued}) as instance,
        create_test_daemon_workspace_context(
            WorkspaceFileTarget([str(ROOT / "workspace.yaml")]), instance
        ) as context,
    ):
        request = context.create_request_context()
        locations = request.get_code_location_entries()
        assert {name: entry.load_error for name, entry in locations.items()} == {
            "telemetry": None,
            "cloud_usage": None,
            "reporting": None,
        }
        reporting = next(iter(locations["reporting"].code_location.get_repositories().values()))
        graph = request.asset_graph
        reporting_dbt = {
            node.asset_key
            for node in reporting.get_asset_node_snaps()
            if node.is_materializable and "dagster/kind/dbt" in (node.tags or {})
        }
        assert WEEKLY_REPORT_MART in reporting_dbt
        # the reporting models and their direct upstreams (which eager waits for) fully
        # materialized, every partition of the partitioned ones
        parents = {parent for key in reporting_dbt for parent in graph.get(key).parent_keys}
        for key in reporting_dbt | parents:
            _materialize_all_partitions(instance, graph, key)
        sensor = reporting.get_sensor("reporting_dbt_automation")
        instance.start_sensor(sensor)  # stopped by default outside production
        daemon = AssetDaemon(
            settings=instance.get_settings("auto_materialize"), pre_sensor_interval_seconds=0
        )
        _tick(daemon, context)  # the first evaluation: nothing new since
        ticks = instance.get_ticks(sensor.get_remote_origin_id(), sensor.selector_id)
        assert len(ticks) == 1
        assert WEEKLY_REPORT_MART not in _requested(instance)

        latest_week = graph.get(TELEMETRY_MART).partitions_def.get_last_partition_key()
        instance.report_runless_asset_event(
            dg.AssetMaterialization(TELEMETRY_MART, partition=latest_week)
        )
        # the sensor is evaluated at most every 30 s: the next tick, a minute later
        with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)):
            _tick(daemon, context)
        requested = _requested(instance)
        assert WEEKLY_REPORT_MART in requested
        assert requested <= reporting_dbt  # the reporting sensor requests only its own models
