"""When the replication runs and how its lateness shows.

Fast-changing tables sync every 15 minutes, slow-changing ones daily; schedules and
sensors run in PROD only (dop_shared.automation). Each replicated table has a
freshness check (visible in the UI, evaluated by a sensor) that warns when its last
sync is older than a few missed runs. The dbt models downstream rebuild by
declarative automation (eager, one sensor for the location's dbt models).
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from dop_cloud_usage.tables import HIGH_FREQ, LOW_FREQ, TABLES, table_ref
from dop_shared.automation import dbt_automation_sensor, default_status

CRON = {HIGH_FREQ: "*/15 * * * *", LOW_FREQ: "30 1 * * *"}
# Older than this and the freshness check fails: four missed syncs, or a missed day.
MAX_LAG = {HIGH_FREQ: dt.timedelta(hours=1), LOW_FREQ: dt.timedelta(hours=26)}


def _keys(group: str) -> list[dg.AssetKey]:
    return [table_ref(t).asset_key for t in TABLES[group]]


def sync_job(group: str) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        f"cloud_usage_{group.removeprefix('postgres_etl_')}_sync",
        selection=dg.AssetSelection.assets(*_keys(group)),
        description=f"Replicates the {group} tables of the cloud product database "
        "(incremental by updated_at, merged on id).",
    )


def freshness_checks() -> list[dg.AssetChecksDefinition]:
    return [
        check
        for group in (HIGH_FREQ, LOW_FREQ)
        for check in dg.build_last_update_freshness_checks(
            assets=_keys(group), lower_bound_delta=MAX_LAG[group]
        )
    ]


def schedules_and_sensors(
    checks: list[dg.AssetChecksDefinition],
) -> tuple[list[dg.ScheduleDefinition], list[dg.SensorDefinition]]:
    status = default_status()
    schedules = [
        dg.ScheduleDefinition(
            job=sync_job(group),
            cron_schedule=CRON[group],
            default_status=status,
            description=f"Runs the {group} replication on `{CRON[group]}` (UTC).",
        )
        for group in (HIGH_FREQ, LOW_FREQ)
    ]
    freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=checks,
        name="cloud_usage_freshness_checks",
        default_status=dg.DefaultSensorStatus(status.value),
    )
    return schedules, [dbt_automation_sensor("cloud_usage"), freshness_sensor]
