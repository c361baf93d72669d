"""Where a day's member analytics file comes from: generated files locally, Slack's
admin.analytics.getFile elsewhere; both are dop_shared.daily_files.DailyFiles."""

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dop_shared import paths
from dop_shared.daily_files import DailyFiles, LocalDailyFiles, file_name
from dop_shared.slack import DopSlackResource, SlackCallError

SlackAnalyticsFiles = DailyFiles


class LocalSlackAnalyticsFiles(LocalDailyFiles):
    SOURCE_DIR = paths.SLACK_ANALYTICS_DIR


class SlackApiAnalyticsFiles(DailyFiles):
    """A day's file from Slack's admin.analytics.getFile (type=member), through the
    platform's Slack resource (base URL, retries, errors that say what to fix; the admin
    token from SLACK_ADMIN_TOKEN). The gzip answer goes to a temporary file, read like a
    local one, then deleted."""

    slack: DopSlackResource

    def location_of(self, day: dt.date) -> str:
        return f"admin.analytics.getFile?type=member&date={day.isoformat()}"

    @contextlib.contextmanager
    def open_day(self, day: dt.date) -> Iterator[Path]:
        try:
            with self.slack.explained_errors("admin.analytics.getFile"):
                answer = self.slack.get_client().admin_analytics_getFile(
                    type="member", date=day.isoformat()
                )
        except SlackCallError as error:
            if error.code in ("file_not_yet_available", "data_not_available"):
                raise FileNotFoundError(
                    f"Slack has no member analytics for {day} yet ({error.code}): Slack "
                    "publishes a day a day or two later; materialize this partition again then"
                ) from None
            raise
        body = answer.data if isinstance(answer.data, bytes) else b""
        with tempfile.TemporaryDirectory(prefix="dop-slack-") as folder:
            path = Path(folder) / file_name(day)
            path.write_bytes(body)
            yield path
