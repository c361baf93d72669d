"""Definitions of the telemetry code location (loaded lazily by Dagster)."""

import dagster as dg

from dop_shared import partitions
from dop_shared.alerts import run_failure_alerts
from dop_shared.dbt import location_dbt_assets
from dop_shared.definitions import location_definitions
from dop_telemetry.automation import schedules_and_sensors
from dop_telemetry.ingestion.events import build_oss_telemetry_events, daily_partitions
from dop_telemetry.ingestion.pypi import dagster_pypi_downloads, weekly_partitions
from dop_telemetry.resources import source_resources

LOCATION = "telemetry"


@dg.definitions
def defs() -> dg.Definitions:
    schedules, sensors = schedules_and_sensors()
    return location_definitions(
        assets=[
            build_oss_telemetry_events(partitions.daily_partitions()),
            dagster_pypi_downloads,
            # dbt models follow the partitions of the source that feeds them
            location_dbt_assets(
                LOCATION,
                sources=("prod_telemetry",),
                partitions_def=daily_partitions,
                name="telemetry_events_dbt_models",
            ),
            location_dbt_assets(
                LOCATION,
                sources=("oss_analytics",),
                partitions_def=weekly_partitions,
                name="telemetry_pypi_dbt_models",
            ),
        ],
        schedules=schedules,
        sensors=[*sensors, run_failure_alerts(LOCATION)],
        resources=source_resources(),
    )
