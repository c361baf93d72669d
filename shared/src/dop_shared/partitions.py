"""Time partitions shared across locations, so a day and a week mean the same everywhere.

Assets declare DAILY or WEEKLY (Monday weeks): the platform's whole history, from
HISTORY_START to today, which production and branch deployments keep. When a
location's definitions load, `for_environment` narrows them locally to exactly the
sample data set: a fixed calendar, the `sample_days()` days up to SAMPLE_END (a
Sunday, so the sample is whole Monday weeks), which the sample-data generator writes
by default. So after the quickstart every local partition is materialized, and the
definitions never change with the clock (a laptop opened next month shows the same
partitions). Nothing here reads the environment at import.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

import dagster as dg

from dop_shared import environment

HISTORY_START = dt.date(2024, 1, 1)  # production: first day of the platform's history
SAMPLE_END = dt.date(2026, 11, 29)  # local: last day of the sample data (a Sunday)
SAMPLE_DAYS_VAR = "DOP_SAMPLE_DAYS"
DEFAULT_SAMPLE_DAYS = 28  # four whole weeks
MONDAY = 1  # WeeklyPartitionsDefinition's day_offset for weeks starting on Monday

DAILY = dg.DailyPartitionsDefinition(start_date=HISTORY_START.isoformat())
WEEKLY = dg.WeeklyPartitionsDefinition(start_date=HISTORY_START.isoformat(), day_offset=MONDAY)


def sample_days(env: Mapping[str, str] | None = None) -> int:
    """Days of local sample data: DOP_SAMPLE_DAYS (the quickstart passes it on), else 28."""
    raw = (os.environ if env is None else env).get(SAMPLE_DAYS_VAR, "").strip()
    if not raw:
        return DEFAULT_SAMPLE_DAYS
    if not raw.isdigit() or int(raw) < 7:
        raise environment.EnvironmentConfigError(
            f"{SAMPLE_DAYS_VAR} must be a whole number of days, at least 7; got {raw!r}."
        )
    return int(raw)


def sample_window(env: Mapping[str, str] | None = None) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of the local sample data."""
    return SAMPLE_END - dt.timedelta(days=sample_days(env) - 1), SAMPLE_END


def _local(env: Mapping[str, str] | None) -> bool:
    return environment.current_environment(env) is environment.Environment.LOCAL


def daily_partitions(env: Mapping[str, str] | None = None) -> dg.DailyPartitionsDefinition:
    if not _local(env):
        return DAILY
    first, last = sample_window(env)
    return dg.DailyPartitionsDefinition(
        start_date=first.isoformat(), end_date=(last + dt.timedelta(days=1)).isoformat()
    )


def weekly_partitions(env: Mapping[str, str] | None = None) -> dg.WeeklyPartitionsDefinition:
    """Monday weeks; locally the whole weeks inside the sample."""
    if not _local(env):
        return WEEKLY
    first, last = sample_window(env)
    monday = first + dt.timedelta(days=-first.weekday() % 7)
    return dg.WeeklyPartitionsDefinition(
        start_date=monday.isoformat(),
        end_date=(last + dt.timedelta(days=1)).isoformat(),
        day_offset=MONDAY,
    )


def for_environment(
    partitions_def: dg.PartitionsDefinition | None, env: Mapping[str, str] | None = None
) -> dg.PartitionsDefinition | None:
    """DAILY and WEEKLY as the current environment has them; any other unchanged."""
    if partitions_def == DAILY:
        return daily_partitions(env)
    if partitions_def == WEEKLY:
        return weekly_partitions(env)
    return partitions_def
