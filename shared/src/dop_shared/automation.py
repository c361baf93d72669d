"""Automation defaults every location shares.

Schedules and sensors start RUNNING only in production; elsewhere they are
visible but stopped, so a laptop or a branch deployment never starts work on
its own.
"""

from __future__ import annotations

import dagster as dg

from dop_shared import environment


def default_status() -> dg.DefaultScheduleStatus:
    if environment.current_environment() is environment.Environment.PROD:
        return dg.DefaultScheduleStatus.RUNNING
    return dg.DefaultScheduleStatus.STOPPED


def dbt_automation_sensor(location_name: str) -> dg.AutomationConditionSensorDefinition:
    """Evaluates the eager automation condition of the location's dbt models."""
    return dg.AutomationConditionSensorDefinition(
        f"{location_name}_dbt_automation",
        target=dg.AssetSelection.groups(location_name),
        default_status=dg.DefaultSensorStatus(default_status().value),
    )
