"""Slack member analytics arrive daily; the reporting marts follow their inputs anywhere."""

from __future__ import annotations

import dagster as dg

from dop_reporting.slack.member_analytics import slack_member_analytics
from dop_reporting.weekly_report import weekly_platform_health_report
from dop_shared import partitions
from dop_shared.automation import dbt_automation_sensor, default_status


def schedules_and_sensors() -> tuple[list, list]:
    job = dg.define_asset_job(
        "reporting_slack_member_analytics",
        selection=[slack_member_analytics],
        partitions_def=partitions.for_environment(slack_member_analytics.partitions_def),
        description="Loads a day of Slack member analytics.",
    )
    # Slack publishes a day's analytics file a day or two later: load the day before
    # yesterday, once a day.
    schedules = [
        dg.build_schedule_from_partitioned_job(
            job,
            hour_of_day=6,
            minute_of_hour=0,
            default_status=default_status(),
            description="Every day at 06:00 UTC: loads the Slack member analytics of the "
            "day before yesterday (Slack publishes a day's file a day or two late).",
        )
    ]
    report = dg.define_asset_job(
        "weekly_platform_health_report",
        selection=[weekly_platform_health_report],
        partitions_def=partitions.for_environment(weekly_platform_health_report.partitions_def),
        description="Posts (or updates) the weekly platform health report in Slack.",
    )
    # The week that just closed, on Monday morning: its last partition is the week before.
    schedules.append(
        dg.build_schedule_from_partitioned_job(
            report,
            day_of_week=1,
            hour_of_day=9,
            default_status=default_status(),
            description="Mondays at 09:00 UTC: posts the report of the week just closed.",
        )
    )
    return schedules, [dbt_automation_sensor("reporting")]
