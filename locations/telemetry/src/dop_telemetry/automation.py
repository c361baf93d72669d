"""Telemetry files land daily and PyPI weeks close on Mondays (one partition each); the
dbt models follow their inputs through their automation condition."""

import dagster as dg

from dop_shared import partitions
from dop_shared.automation import dbt_automation_sensor, default_status
from dop_telemetry.ingestion.events import oss_telemetry_events
from dop_telemetry.ingestion.pypi import dagster_pypi_downloads


def schedules_and_sensors() -> tuple[list, list]:
    status = default_status()
    daily_events = dg.define_asset_job(
        "telemetry_daily_events",
        selection=[oss_telemetry_events],
        partitions_def=partitions.for_environment(oss_telemetry_events.partitions_def),
        description="Loads a day of OSS telemetry files into the raw events table.",
    )
    weekly_pypi = dg.define_asset_job(
        "telemetry_weekly_pypi_downloads",
        selection=[dagster_pypi_downloads],
        partitions_def=partitions.for_environment(dagster_pypi_downloads.partitions_def),
        description="Loads a Monday week of PyPI downloads of the Dagster packages.",
    )
    schedules = [
        dg.build_schedule_from_partitioned_job(
            daily_events,
            hour_of_day=2,
            default_status=status,
            description="Every day at 02:00 UTC: loads yesterday's telemetry file.",
        ),
        dg.build_schedule_from_partitioned_job(
            weekly_pypi,
            day_of_week=1,
            hour_of_day=6,
            default_status=status,
            description="Mondays at 06:00 UTC: loads the PyPI downloads of the week just closed.",
        ),
    ]
    return schedules, [dbt_automation_sensor("telemetry")]
