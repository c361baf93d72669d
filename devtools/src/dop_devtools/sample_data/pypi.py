"""Daily PyPI downloads of the Dagster packages, in the shape of the weekly BigQuery
aggregate over `bigquery-public-data.pypi.file_downloads` (one row per day, package,
version)."""

from __future__ import annotations

import random
from pathlib import Path

from dop_devtools.sample_data.files import write_csv
from dop_devtools.sample_data.population import DAGSTER_PACKAGES, released_versions, weekday_factor
from dop_devtools.sample_data.spec import SampleDataSpec

COLUMNS = ("download_date", "package", "package_version", "num_downloads")
_PACKAGE_SHARE = {
    "dagster": 1.0,
    "dagster-webserver": 0.8,
    "dagster-dbt": 0.35,
    "dagster-snowflake": 0.12,
    "dagster-cloud": 0.4,
}


def rows(spec: SampleDataSpec):
    rng = random.Random(f"{spec.seed}:pypi")
    for day in spec.dates():
        versions = released_versions(day, spec.end_date, spec.days)
        newest_first = list(reversed(versions))
        for package in DAGSTER_PACKAGES:
            base = 30_000 * spec.scale * _PACKAGE_SHARE[package] * weekday_factor(day)
            for rank, version in enumerate(newest_first[:6]):
                share = 0.55 * (0.5**rank)
                count = int(base * share * rng.uniform(0.85, 1.15))
                if count > 0:
                    yield (day.isoformat(), package, version, count)


def write(spec: SampleDataSpec, path: Path) -> Path:
    return write_csv(path, COLUMNS, rows(spec))
