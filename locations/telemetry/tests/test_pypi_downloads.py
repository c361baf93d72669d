"""Weekly PyPI downloads: locally from the file, in production from BigQuery, here
reached through the real google-cloud-bigquery client and a local REST stand-in."""

import datetime as dt
from contextlib import contextmanager

import dagster as dg
import pytest
from bigquery_standin import BigQueryStandIn
from dagster_gcp import BigQueryResource

from dop_shared.warehouse import DuckDBWarehouse, Partition
from dop_telemetry.ingestion.pypi import PYPI_DOWNLOADS, LocalPyPIDownloads, dagster_pypi_downloads
from dop_telemetry.ingestion.pypi_bigquery import BigQueryPyPIDownloads

WEEK = dt.date(2026, 3, 2)  # a Monday


class StandInBigQueryResource(BigQueryResource):
    """dagster-gcp's resource with the endpoint and anonymous credentials of the stand-in:
    the asset's code path (get_client, query_and_wait, to_arrow) is unchanged."""

    endpoint: str

    @contextmanager
    def get_client(self):
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        yield bigquery.Client(
            project=self.project,
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": self.endpoint},
        )


@pytest.fixture
def bigquery():
    with BigQueryStandIn() as standin:
        standin.db.execute(
            'create table "bigquery-public-data.pypi.file_downloads" ('
            '"timestamp" timestamp, country_code varchar, '
            "file struct(filename varchar, project varchar, version varchar, type varchar))"
        )
        rows = []
        for day in range(-3, 10):  # the week, and days on both sides that must not be read
            for n in range(day % 3 + 1):
                project = "dagster" if n % 2 == 0 else "dagster-dbt"
                rows.append(
                    (dt.datetime(2026, 3, 2, 12) + dt.timedelta(days=day, minutes=n), project)
                )
        rows.append((dt.datetime(2026, 3, 4, 9), "pandas"))  # another project, same week
        standin.db.executemany(
            'insert into "bigquery-public-data.pypi.file_downloads" values '
            "(?, 'US', {'filename': 'f.whl', 'project': ?, 'version': '1.9.3', 'type': 'bdist_wheel'})",
            rows,
        )
        yield standin


def _materialize(source, week=WEEK):
    return dg.materialize(
        [dagster_pypi_downloads],
        partition_key=week.isoformat(),
        resources={"warehouse": DuckDBWarehouse(), "pypi_source": source},
        raise_on_error=False,
    )


def _source(standin):
    return BigQueryPyPIDownloads(
        bigquery=StandInBigQueryResource(project="billing-project", endpoint=standin.url)
    )


def test_a_week_from_bigquery_queries_only_that_week(data_dir, bigquery):
    result = _materialize(_source(bigquery))
    assert result.success
    [request] = bigquery.requests
    assert "`bigquery-public-data.pypi.file_downloads`" in request["query"]
    params = {p["name"]: p["parameterValue"]["value"] for p in request["parameters"]}
    assert params["week_start"].startswith("2026-03-02") and params["week_end"].startswith(
        "2026-03-09"
    )
    with DuckDBWarehouse().connect(read_only=True) as conn:
        rows = conn.execute(
            f"select download_date, package, num_downloads from {PYPI_DOWNLOADS.physical()} order by 1, 2"
        ).fetchall()
    assert {r[0] for r in rows} == {WEEK + dt.timedelta(days=d) for d in range(7)}
    assert {r[1] for r in rows} == {"dagster", "dagster-dbt"}
    assert sum(r[2] for r in rows) == sum(d % 3 + 1 for d in range(7))
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "rows_present": True,
        "no_negative_counts": True,
        "every_day_of_the_week": True,
    }


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (
            403,
            "quotaExceeded",
            "Quota exceeded: Your project exceeded quota for free query bytes scanned.",
        ),
        (400, "invalidQuery", "Syntax error: Unexpected identifier at [3:5]"),
    ],
)
def test_a_bigquery_error_fails_the_run_with_the_api_message_and_writes_nothing(
    data_dir, bigquery, status, reason, message
):
    assert _materialize(_source(bigquery)).success
    before = DuckDBWarehouse().row_count(PYPI_DOWNLOADS)
    bigquery.fail_with = (status, reason, message)
    result = _materialize(_source(bigquery))
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert message in error
    assert DuckDBWarehouse().row_count(PYPI_DOWNLOADS) == before


def test_local_file_week_and_checks_on_a_partial_week(data_dir, sample_sources):
    lines = (sample_sources / "pypi" / "dagster_pypi_downloads.csv").read_text().splitlines()[1:]
    first = min(dt.date.fromisoformat(line[:10]) for line in lines)
    monday_before = first - dt.timedelta(days=first.weekday())
    result = _materialize(LocalPyPIDownloads(), week=monday_before)
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    complete = first == monday_before
    assert checks["every_day_of_the_week"].passed is complete
    assert checks["rows_present"].passed
    written = DuckDBWarehouse().row_count(
        PYPI_DOWNLOADS, Partition("download_date", monday_before, monday_before + dt.timedelta(7))
    )
    assert written == sum(
        1
        for line in lines
        if monday_before <= dt.date.fromisoformat(line[:10]) < monday_before + dt.timedelta(7)
    )
