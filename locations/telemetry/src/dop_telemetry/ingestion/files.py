"""Where the daily telemetry files are read from: a local folder here, a GCS bucket in
gcs_files.py (imported only outside LOCAL, so a laptop never loads Google's clients).
Both are dop_shared.daily_files.DailyFiles: the ingestion gets a local path either way.
"""

from dop_shared import paths
from dop_shared.daily_files import DailyFiles, LocalDailyFiles, file_name

TelemetryFiles = DailyFiles
__all__ = ["LocalTelemetryFiles", "TelemetryFiles", "file_name"]


class LocalTelemetryFiles(LocalDailyFiles):
    SOURCE_DIR = paths.TELEMETRY_EVENTS_DIR
