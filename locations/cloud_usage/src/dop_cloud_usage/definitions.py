"""Definitions of the cloud_usage code location (loaded lazily by Dagster)."""

from __future__ import annotations

import dagster as dg

from dop_cloud_usage.automation import schedules_and_sensors
from dop_cloud_usage.replication import cloud_product_high_freq, cloud_product_low_freq
from dop_cloud_usage.source_database import cloud_product_database
from dop_shared.dbt import location_dbt_assets
from dop_shared.definitions import location_definitions

LOCATION = "cloud_usage"


@dg.definitions
def defs() -> dg.Definitions:
    schedules, sensors = schedules_and_sensors()
    return location_definitions(
        assets=[cloud_product_high_freq, cloud_product_low_freq, location_dbt_assets(LOCATION)],
        schedules=schedules,
        sensors=sensors,
        resources={"cloud_product_db": cloud_product_database()},
    )
