"""Runs change all day (hourly sync); organizations and deployments rarely (daily)."""

from __future__ import annotations

import dagster as dg

from dop_cloud_usage.replication import cloud_product_high_freq, cloud_product_low_freq
from dop_shared.automation import dbt_automation_sensor, default_status


def schedules_and_sensors() -> tuple[list, list]:
    status = default_status()
    high = dg.define_asset_job("cloud_usage_high_freq_sync", selection=[cloud_product_high_freq])
    low = dg.define_asset_job("cloud_usage_low_freq_sync", selection=[cloud_product_low_freq])
    schedules = [
        dg.ScheduleDefinition(job=high, cron_schedule="15 * * * *", default_status=status),
        dg.ScheduleDefinition(job=low, cron_schedule="30 1 * * *", default_status=status),
    ]
    return schedules, [dbt_automation_sensor("cloud_usage")]
