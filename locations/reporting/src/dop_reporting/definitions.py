"""Definitions of the reporting code location (loaded lazily by Dagster)."""

from __future__ import annotations

import dagster as dg

from dop_reporting.automation import schedules_and_sensors
from dop_reporting.resources import source_resources
from dop_reporting.slack.member_analytics import build_slack_member_analytics
from dop_reporting.weekly_report import weekly_platform_health_report
from dop_shared import partitions
from dop_shared.alerts import run_failure_alerts
from dop_shared.dbt import location_dbt_assets
from dop_shared.definitions import location_definitions

LOCATION = "reporting"


@dg.definitions
def defs() -> dg.Definitions:
    schedules, sensors = schedules_and_sensors()
    return location_definitions(
        assets=[
            build_slack_member_analytics(partitions.daily_partitions()),
            location_dbt_assets(LOCATION),
            weekly_platform_health_report,
        ],
        schedules=schedules,
        sensors=[*sensors, run_failure_alerts(LOCATION)],
        resources=source_resources(),
    )
