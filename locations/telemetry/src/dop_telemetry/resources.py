"""The telemetry location's source resources, chosen by environment in one place."""

import dagster as dg

from dop_shared import environment
from dop_telemetry.ingestion.files import LocalTelemetryFiles
from dop_telemetry.ingestion.pypi import LocalPyPIDownloads


def source_resources() -> dict[str, dg.ConfigurableResource]:
    """Local files on a laptop; GCS and BigQuery in branch deployments and production."""
    if environment.uses_local_sources():
        return {"telemetry_files": LocalTelemetryFiles(), "pypi_source": LocalPyPIDownloads()}
    # Google's clients only where they are used: loading stays fast on a laptop.
    from dagster_gcp import BigQueryResource, GCSResource

    from dop_telemetry.ingestion.gcs_files import GCSTelemetryFiles
    from dop_telemetry.ingestion.pypi_bigquery import BigQueryPyPIDownloads

    return {
        "telemetry_files": GCSTelemetryFiles(
            gcs=GCSResource(project=dg.EnvVar("GCP_PROJECT")),
            bucket=dg.EnvVar("TELEMETRY_BUCKET"),
        ),
        "pypi_source": BigQueryPyPIDownloads(
            bigquery=BigQueryResource(project=dg.EnvVar("GCP_PROJECT"))
        ),
    }
