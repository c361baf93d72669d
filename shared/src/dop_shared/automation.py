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
    """Evaluates the eager automation condition of the location's dbt models.

    The target is what the assets are (this location's dbt models: a location's
    selection only ever resolves to its own assets), not a group name, which a model
    can override in its yml and so fall out of automation silently."""
    return dg.AutomationConditionSensorDefinition(
        f"{location_name}_dbt_automation",
        target=dg.AssetSelection.kind("dbt"),
        default_status=dg.DefaultSensorStatus(default_status().value),
        description=(
            f"Requests {location_name}'s dbt models when their upstream assets, in this or "
            "another location, have new data (AutomationCondition.eager)."
        ),
    )
