"""A week of PyPI downloads from bigquery-public-data.pypi.file_downloads."""

import datetime as dt

import pyarrow as pa
from dagster_gcp import BigQueryResource
from pydantic import Field

from dop_telemetry.ingestion.pypi import PACKAGE_PREFIX, PyPIDownloadsSource

BIGQUERY_SQL = """
select
    cast(`timestamp` as date) as download_date,
    file.project as package,
    file.version as package_version,
    count(*) as num_downloads
from `bigquery-public-data.pypi.file_downloads`
where `timestamp` >= @week_start
  and `timestamp` < @week_end
  and starts_with(file.project, @package_prefix)
group by 1, 2, 3
"""


class BigQueryPyPIDownloads(PyPIDownloadsSource):
    """bigquery-public-data.pypi.file_downloads, one week per query."""

    bigquery: BigQueryResource
    max_bytes_billed: int = Field(
        default=2 * 1024**4, description="Refuse a query that would scan more than this."
    )

    def fetch_week(self, start: dt.date, end: dt.date, log) -> pa.Table:
        from google.cloud import bigquery

        config = bigquery.QueryJobConfig(
            query_parameters=[
                bigquery.ScalarQueryParameter("week_start", "TIMESTAMP", f"{start}T00:00:00Z"),
                bigquery.ScalarQueryParameter("week_end", "TIMESTAMP", f"{end}T00:00:00Z"),
                bigquery.ScalarQueryParameter("package_prefix", "STRING", PACKAGE_PREFIX),
            ],
            maximum_bytes_billed=self.max_bytes_billed,
        )
        with self.bigquery.get_client() as client:
            rows = client.query_and_wait(BIGQUERY_SQL, job_config=config)
            table = rows.to_arrow(create_bqstorage_client=False)
            log.info(f"BigQuery job {rows.job_id}: {table.num_rows} rows for {start}..{end}")
        return table.cast(
            pa.schema(
                [
                    ("download_date", pa.date32()),
                    ("package", pa.string()),
                    ("package_version", pa.string()),
                    ("num_downloads", pa.int64()),
                ]
            )
        )
