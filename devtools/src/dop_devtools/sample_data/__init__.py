"""Deterministic sample data for every source system, shaped like the real ones.

`generate(spec)` writes, under the data directory's `sources/` folder:
  telemetry/oss_telemetry_events/<YYYY-MM-DD>.json.gz   Dagster OSS telemetry, one file a day
  pypi/dagster_pypi_downloads.csv                       daily downloads per package and version
  cloud_product/cloud_product.sqlite                    the cloud product's Postgres tables
  slack/member_analytics/<YYYY-MM-DD>.json.gz           Slack member analytics, one file a day
The same seed, days, scale and end date always produce the same bytes.
"""

from dop_devtools.sample_data.spec import SampleDataSpec, generate

__all__ = ["SampleDataSpec", "generate"]
