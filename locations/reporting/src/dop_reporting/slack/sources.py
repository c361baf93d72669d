"""Where a day's member analytics file comes from: generated files locally, Slack's
admin.analytics.getFile elsewhere. Both hand the ingestion a local gzip file, so
parsing, quarantine and the write are one code path; a day without a file is a
FileNotFoundError that says where it was looked for."""

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from pydantic import Field

from dop_shared import paths
from dop_shared.slack import DopSlackResource, SlackCallError


class SlackAnalyticsFiles(dg.ConfigurableResource):
    """One gzip JSON-lines file of member analytics per day."""

    def location_of(self, day: dt.date) -> str:
        raise NotImplementedError

    def open_day(self, day: dt.date) -> contextlib.AbstractContextManager[Path]:
        raise NotImplementedError


class LocalSlackAnalyticsFiles(SlackAnalyticsFiles):
    root: str | None = Field(
        default=None,
        description="Folder of <YYYY-MM-DD>.json.gz files; default <data dir>/sources/slack/...",
    )

    def folder(self) -> Path:
        return Path(self.root) if self.root else paths.sources_dir() / paths.SLACK_ANALYTICS_DIR

    def location_of(self, day: dt.date) -> str:
        return str(self.folder() / f"{day.isoformat()}.json.gz")

    @contextlib.contextmanager
    def open_day(self, day: dt.date) -> Iterator[Path]:
        path = Path(self.location_of(day))
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist")
        yield path


class SlackApiAnalyticsFiles(SlackAnalyticsFiles):
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
            path = Path(folder) / f"{day.isoformat()}.json.gz"
            path.write_bytes(body)
            yield path
