"""Weekly PyPI downloads of the Dagster packages.

In production the week is aggregated from BigQuery's public PyPI dataset through
dagster-gcp's BigQueryResource (pypi_bigquery.py, imported only outside LOCAL); the
query filters on the partitioned `timestamp` column, so a run scans one week, never
the whole table. Locally the generated
file of the same shape plays that dataset. Either way the week replaces its
seven days in the warehouse in one transaction, and three checks run on what
was fetched: rows present, no negative count, every day of the week present.
"""

import datetime as dt

import dagster as dg
import pyarrow as pa

from dop_shared import partitions, paths
from dop_shared.locations import location
from dop_shared.readers import read_csv
from dop_shared.warehouse import Partition, TableRef, Warehouse

PYPI_DOWNLOADS = TableRef("purina", "oss_analytics", "dagster_pypi_downloads")
COLUMNS = {
    "download_date": "DATE",
    "package": "VARCHAR",
    "package_version": "VARCHAR",
    "num_downloads": "BIGINT",
}
PACKAGE_PREFIX = "dagster"


class PyPIDownloadsSource(dg.ConfigurableResource):
    """Where a week of downloads comes from; see the two implementations below."""

    def fetch_week(self, start: dt.date, end: dt.date, log) -> pa.Table:
        raise NotImplementedError


class LocalPyPIDownloads(PyPIDownloadsSource):
    """The generated file: one CSV of daily rows, of which the week is read."""

    def fetch_week(self, start: dt.date, end: dt.date, log) -> pa.Table:
        path = paths.sources_dir() / paths.PYPI_DOWNLOADS_FILE
        return read_csv(path, COLUMNS, rows=Partition("download_date", start, end))


def _checks(data: pa.Table, start: dt.date, end: dt.date) -> list[dg.AssetCheckResult]:
    import pyarrow.compute as pc

    days = {d.isoformat() for d in (start + dt.timedelta(n) for n in range((end - start).days))}
    present = {d.isoformat() for d in data.column("download_date").to_pylist()}
    negative = pc.sum(pc.less(data.column("num_downloads"), 0)).as_py() or 0 if data.num_rows else 0
    result = dg.AssetCheckResult
    key = PYPI_DOWNLOADS.asset_key
    return [
        result(
            asset_key=key,
            check_name="rows_present",
            passed=data.num_rows > 0,
            metadata={"rows": data.num_rows},
        ),
        result(
            asset_key=key,
            check_name="no_negative_counts",
            passed=negative == 0,
            metadata={"negative_rows": negative},
        ),
        result(
            asset_key=key,
            check_name="every_day_of_the_week",
            passed=days <= present,
            metadata={"missing_days": ", ".join(sorted(days - present)) or "none"},
        ),
    ]


weekly_partitions = partitions.WEEKLY  # Monday weeks; narrowed locally at load


@dg.asset(
    key=PYPI_DOWNLOADS.asset_key,
    description="Daily downloads of the Dagster packages per version, from PyPI's public data.",
    group_name="telemetry_ingestion",
    owners=location("telemetry").owners,
    kinds={"python", "bigquery"},
    partitions_def=weekly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=[
        dg.AssetCheckSpec(
            "rows_present",
            asset=PYPI_DOWNLOADS.asset_key,
            description="Fails when a week brought no download rows at all (a broken export).",
        ),
        dg.AssetCheckSpec(
            "no_negative_counts",
            asset=PYPI_DOWNLOADS.asset_key,
            description="Fails when a download count is negative: the source is corrupt.",
        ),
        dg.AssetCheckSpec(
            "every_day_of_the_week",
            asset=PYPI_DOWNLOADS.asset_key,
            description="Fails when a day of the week has no downloads (a missing export day).",
        ),
    ],
)
def dagster_pypi_downloads(
    context: dg.AssetExecutionContext, warehouse: Warehouse, pypi_source: PyPIDownloadsSource
):
    window = context.partition_time_window
    start, end = window.start.date(), window.end.date()
    target = PYPI_DOWNLOADS.physical()  # a misconfigured deployment fails before any query
    total = 0
    checks: dict[str, dg.AssetCheckResult] = {}
    week = start
    while week < end:  # a backfill range is one run; each week is fetched and written alone
        week_end = min(week + dt.timedelta(days=7), end)
        data = pypi_source.fetch_week(week, week_end, context.log)
        rows = warehouse.replace(PYPI_DOWNLOADS, data, Partition("download_date", week, week_end))
        for check in _checks(data, week, week_end):
            # the run's verdict per check is its worst week
            if check.check_name not in checks or not check.passed:
                checks[check.check_name] = check
        # this week's own figures on this week's materialization (a range records one each)
        context.add_asset_metadata(
            {"dagster/row_count": rows, "days": f"{week}..{week_end} (end excluded)"},
            partition_key=week.isoformat(),
        )
        total += rows
        context.log.info(f"week {week}: {data.num_rows} rows -> {target}")
        week = week_end
    context.log.info(f"{total} rows over {start}..{end} (end excluded)")
    yield dg.MaterializeResult(asset_key=PYPI_DOWNLOADS.asset_key)
    yield from checks.values()
