"""Definitions of the telemetry code location (loaded lazily by Dagster)."""

from __future__ import annotations

import dagster as dg
from dop_shared.dbt import location_dbt_assets
from dop_shared.definitions import location_definitions

from dop_telemetry.automation import schedules_and_sensors
from dop_telemetry.ingestion.events import oss_telemetry_events
from dop_telemetry.ingestion.files import TelemetryFiles
from dop_telemetry.ingestion.pypi import dagster_pypi_downloads

LOCATION = "telemetry"


@dg.definitions
def defs() -> dg.Definitions:
    schedules, sensors = schedules_and_sensors()
    return location_definitions(
        assets=[oss_telemetry_events, dagster_pypi_downloads, location_dbt_assets(LOCATION)],
        schedules=schedules,
        sensors=sensors,
        resources={"telemetry_files": TelemetryFiles()},
    )
