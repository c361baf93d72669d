"""Where the daily telemetry files are read from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
from dop_shared import paths
from pydantic import Field

EVENTS_FOLDER = Path("telemetry") / "oss_telemetry_events"


class TelemetryFiles(dg.ConfigurableResource):
    """Daily gzip JSON-lines files named <YYYY-MM-DD>.json.gz under one folder."""

    root: str | None = Field(
        default=None,
        description="Folder of the daily files; default <data dir>/sources/telemetry/...",
    )

    def folder(self) -> Path:
        return Path(self.root) if self.root else paths.sources_dir() / EVENTS_FOLDER

    def path_for(self, day: dt.date) -> Path:
        return self.folder() / f"{day.isoformat()}.json.gz"
