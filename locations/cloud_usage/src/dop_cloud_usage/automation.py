"""When the replication runs.

Fast-changing tables sync every 15 minutes, slow-changing ones daily; schedules and
sensors run in PROD only (dop_shared.automation). How late a replica may be is
each asset's own freshness policy (`tables.MAX_LAG`), which Dagster evaluates
itself. The dbt models downstream rebuild by declarative automation (eager, one
sensor for the location's dbt models).
"""

from __future__ import annotations

import dagster as dg

from dop_cloud_usage.tables import HIGH_FREQ, LOW_FREQ, TABLES, table_ref
from dop_shared.automation import dbt_automation_sensor, default_status

CRON = {HIGH_FREQ: "*/15 * * * *", LOW_FREQ: "30 1 * * *"}


def _keys(group: str) -> list[dg.AssetKey]:
    return [table_ref(t).asset_key for t in TABLES[group]]


def sync_job(group: str) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        f"cloud_usage_{group.removeprefix('postgres_etl_')}_sync",
        selection=dg.AssetSelection.assets(*_keys(group)),
        description=f"Replicates the {group} tables of the cloud product database "
        "(incremental by updated_at, merged on id).",
    )


def schedules_and_sensors() -> tuple[list[dg.ScheduleDefinition], list[dg.SensorDefinition]]:
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
    return schedules, [dbt_automation_sensor("cloud_usage")]
