"""Where the daily telemetry files are read from: a local folder here, a GCS bucket in
gcs_files.py (imported only outside LOCAL, so a laptop never loads Google's clients).

Both hand the ingestion a local path to one day's file, so parsing, quarantine and
the write are one code path. A missing file is a FileNotFoundError naming where it
was looked for.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from pydantic import Field

from dop_shared import paths


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
        return Path(self.root) if self.root else paths.sources_dir() / paths.TELEMETRY_EVENTS_DIR

    def location_of(self, day: dt.date) -> str:
        return str(self.folder() / file_name(day))

    @contextlib.contextmanager
    def open_day(self, day: dt.date) -> Iterator[Path]:
        path = Path(self.location_of(day))
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist")
        yield path
