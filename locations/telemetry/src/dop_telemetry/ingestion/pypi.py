"""Daily PyPI downloads of the Dagster packages (locally: the generated file)."""

from pathlib import Path

from dop_shared.file_assets import csv_table_asset
from dop_shared.warehouse import TableRef

PYPI_DOWNLOADS = TableRef("purina", "oss_analytics", "dagster_pypi_downloads")

dagster_pypi_downloads = csv_table_asset(
    table=PYPI_DOWNLOADS,
    source_file=Path("pypi") / "dagster_pypi_downloads.csv",
    columns={
        "download_date": "DATE",
        "package": "VARCHAR",
        "package_version": "VARCHAR",
        "num_downloads": "BIGINT",
    },
    description="Daily downloads of the Dagster packages per version, from PyPI's public data.",
    location_name="telemetry",
    group_name="telemetry_ingestion",
)
