"""Versions and calendars shared by the generators (one definition, used by all)."""

from __future__ import annotations

import datetime as dt

# Dagster releases in order; the newest ones are adopted over the simulated period.
DAGSTER_VERSIONS = (
    "1.8.13",
    "1.9.0",
    "1.9.3",
    "1.9.6",
    "1.9.10",
    "1.10.0",
    "1.10.5",
    "1.10.12",
    "1.11.0",
    "1.11.4",
    "1.11.9",
    "1.12.0",
    "1.12.3",
    "1.12.8",
    "1.13.0",
    "1.13.27",
)
PYTHON_VERSIONS = ("3.9.21", "3.10.16", "3.11.11", "3.12.8", "3.13.1")
PYTHON_WEIGHTS = (0.05, 0.18, 0.37, 0.3, 0.1)
DAGSTER_PACKAGES = (
    "dagster",
    "dagster-webserver",
    "dagster-dbt",
    "dagster-snowflake",
    "dagster-cloud",
)


def weekday_factor(day: dt.date) -> float:
    """Activity on weekends is about a third of a weekday's."""
    return 0.35 if day.weekday() >= 5 else 1.0


def released_versions(day: dt.date, end: dt.date, span_days: int) -> tuple[str, ...]:
    """Versions released by `day`: the last one lands on `end`, spread over `span_days`."""
    days_before_end = (end - day).days
    step = max(span_days, 1) / len(DAGSTER_VERSIONS)
    available = len(DAGSTER_VERSIONS) - int(days_before_end / max(step, 1))
    return DAGSTER_VERSIONS[: max(available, 4)]
