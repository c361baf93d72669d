"""Time partitions shared across locations, so a week means the same everywhere."""

import dagster as dg

# Monday weeks: weekly PyPI downloads (telemetry) and the weekly report (reporting).
weekly_partitions = dg.WeeklyPartitionsDefinition(start_date="2024-01-01", day_offset=1)
