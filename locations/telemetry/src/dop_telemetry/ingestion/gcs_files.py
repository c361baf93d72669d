"""Daily telemetry files in a GCS bucket, through dagster-gcp's GCS resource."""

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dagster_gcp import GCSResource

from dop_shared import paths
from dop_telemetry.ingestion.files import TelemetryFiles, file_name


class GCSTelemetryFiles(TelemetryFiles):
    """gs://<bucket>/<prefix>/<YYYY-MM-DD>.json.gz through dagster-gcp's GCS resource;
    each day is downloaded to a temporary file that is removed after the load."""

    gcs: GCSResource
    bucket: str
    prefix: str = paths.TELEMETRY_EVENTS_DIR.name

    def _blob_name(self, day: dt.date) -> str:
        return f"{self.prefix.strip('/')}/{file_name(day)}" if self.prefix else file_name(day)

    def location_of(self, day: dt.date) -> str:
        return f"gs://{self.bucket}/{self._blob_name(day)}"

    @contextlib.contextmanager
    def open_day(self, day: dt.date) -> Iterator[Path]:
        from google.api_core.exceptions import NotFound

        client = self.gcs.get_client()
        blob = client.bucket(self.bucket).blob(self._blob_name(day))
        with tempfile.TemporaryDirectory(prefix="dop-telemetry-") as folder:
            path = Path(folder) / file_name(day)
            try:
                blob.download_to_filename(str(path))
            except NotFound as error:
                raise FileNotFoundError(f"{self.location_of(day)} does not exist") from error
            yield path
