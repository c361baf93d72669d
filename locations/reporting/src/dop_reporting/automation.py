"""Slack stats arrive daily; the reporting marts follow their inputs in every location."""

from __future__ import annotations

import dagster as dg

from dop_reporting.slack_stats import slack_member_stats
from dop_shared.automation import dbt_automation_sensor, default_status


def schedules_and_sensors() -> tuple[list, list]:
    job = dg.define_asset_job("reporting_slack_stats", selection=[slack_member_stats])
    schedules = [
        dg.ScheduleDefinition(job=job, cron_schedule="0 4 * * *", default_status=default_status())
    ]
    return schedules, [dbt_automation_sensor("reporting")]
