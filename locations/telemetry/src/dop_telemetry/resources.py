"""The telemetry location's source resources, chosen by environment in one place."""

import dagster as dg
from dagster_gcp import BigQueryResource
from dop_shared import environment

from dop_telemetry.ingestion.files import TelemetryFiles
from dop_telemetry.ingestion.pypi import BigQueryPyPIDownloads, LocalPyPIDownloads


def source_resources() -> dict[str, dg.ConfigurableResource]:
    local = environment.current_environment() is environment.Environment.LOCAL
    return {
        "telemetry_files": TelemetryFiles(),
        "pypi_source": LocalPyPIDownloads()
        if local
        else BigQueryPyPIDownloads(
            bigquery=BigQueryResource(project=dg.EnvVar("BIGQUERY_PROJECT"))
        ),
    }
