"""Telemetry files land daily (one partition a day); dbt models follow their inputs."""

from __future__ import annotations

import dagster as dg
from dop_shared.automation import dbt_automation_sensor, default_status

from dop_telemetry.ingestion.events import oss_telemetry_events
from dop_telemetry.ingestion.pypi import dagster_pypi_downloads


def schedules_and_sensors() -> tuple[list, list]:
    status = default_status()
    daily_events = dg.define_asset_job(
        "telemetry_daily_events",
        selection=[oss_telemetry_events],
        partitions_def=oss_telemetry_events.partitions_def,
    )
    pypi = dg.define_asset_job("telemetry_pypi_downloads", selection=[dagster_pypi_downloads])
    schedules = [
        dg.build_schedule_from_partitioned_job(daily_events, hour_of_day=2, default_status=status),
        dg.ScheduleDefinition(job=pypi, cron_schedule="0 3 * * *", default_status=status),
    ]
    return schedules, [dbt_automation_sensor("telemetry")]
