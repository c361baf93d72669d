"""Definitions of the cloud_usage code location (loaded lazily by Dagster)."""

from __future__ import annotations

import dagster as dg

from dop_cloud_usage.automation import schedules_and_sensors
from dop_cloud_usage.replication import replication_assets
from dop_cloud_usage.source_database import cloud_product_database
from dop_shared.alerts import run_failure_alerts
from dop_shared.dbt import location_dbt_assets
from dop_shared.definitions import location_definitions

LOCATION = "cloud_usage"


@dg.definitions
def defs() -> dg.Definitions:
    schedules, sensors = schedules_and_sensors()
    return location_definitions(
        assets=[*replication_assets(), location_dbt_assets(LOCATION)],
        schedules=schedules,
        sensors=[*sensors, run_failure_alerts(LOCATION)],
        resources={"cloud_product_db": cloud_product_database()},
    )
