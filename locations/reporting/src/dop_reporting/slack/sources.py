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
from dagster_slack import SlackResource
from pydantic import Field

from dop_shared import paths


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
    platform's Slack resource (base URL, retries, the admin token from SLACK_ADMIN_TOKEN).
    The gzip answer is written to a temporary file, read like a local one, then deleted."""

    slack: SlackResource

    def location_of(self, day: dt.date) -> str:
        return f"admin.analytics.getFile?type=member&date={day.isoformat()}"

    @contextlib.contextmanager
    def open_day(self, day: dt.date) -> Iterator[Path]:
        from slack_sdk.errors import SlackApiError

        try:
            answer = self.slack.get_client().admin_analytics_getFile(
                type="member", date=day.isoformat()
            )
        except SlackApiError as error:
            reason = error.response.get("error") if error.response is not None else None
            if reason in ("file_not_yet_available", "data_not_available"):
                raise FileNotFoundError(
                    f"Slack has no member analytics for {day} yet ({reason}); Slack publishes "
                    "a day a day or two later: materialize this partition again then"
                ) from None
            raise RuntimeError(
                f"Slack refused admin.analytics.getFile for {day}: {reason}. "
                + _WHAT_TO_FIX.get(reason, "See Slack's documentation of that error.")
            ) from None
        body = answer.data if isinstance(answer.data, bytes) else b""
        with tempfile.TemporaryDirectory(prefix="dop-slack-") as folder:
            path = Path(folder) / f"{day.isoformat()}.json.gz"
            path.write_bytes(body)
            yield path


# Errors an operator can fix, and how (the token itself is never part of a message).
_WHAT_TO_FIX = {
    "invalid_auth": "SLACK_ADMIN_TOKEN is not a valid token: set a user token of an org admin.",
    "not_authed": "SLACK_ADMIN_TOKEN is empty: set it in the deployment's environment.",
    "missing_scope": "The token lacks the admin.analytics:read scope: add it to the Slack app.",
    "feature_not_enabled": "Analytics need Slack Enterprise Grid on the organization.",
}
