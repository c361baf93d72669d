"""Where the daily telemetry files are read from: a local folder, or a GCS bucket.

Both hand the ingestion a local path to one day's file, so parsing, quarantine and
the write are one code path. A missing file is a FileNotFoundError naming where it
was looked for.
"""

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from dagster_gcp import GCSResource
from pydantic import Field

from dop_shared import paths

EVENTS_FOLDER = Path("telemetry") / "oss_telemetry_events"


def file_name(day: dt.date) -> str:
    return f"{day.isoformat()}.json.gz"


class TelemetryFiles(dg.ConfigurableResource):
    """Daily gzip JSON-lines files named <YYYY-MM-DD>.json.gz."""

    def location_of(self, day: dt.date) -> str:
        raise NotImplementedError

    def open_day(self, day: dt.date) -> contextlib.AbstractContextManager[Path]:
        raise NotImplementedError


class LocalTelemetryFiles(TelemetryFiles):
    root: str | None = Field(
        default=None,
        description="Folder of the daily files; default <data dir>/sources/telemetry/...",
    )

    def folder(self) -> Path:
        return Path(self.root) if self.root else paths.sources_dir() / EVENTS_FOLDER

    def location_of(self, day: dt.date) -> str:
        return str(self.folder() / file_name(day))

    @contextlib.contextmanager
    def open_day(self, day: dt.date) -> Iterator[Path]:
        path = self.folder() / file_name(day)
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist")
        yield path


class GCSTelemetryFiles(TelemetryFiles):
    """gs://<bucket>/<prefix>/<YYYY-MM-DD>.json.gz through dagster-gcp's GCS resource;
    each day is downloaded to a temporary file that is removed after the load."""

    gcs: GCSResource
    bucket: str
    prefix: str = "oss_telemetry_events"

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
