"""What one line of Slack's member analytics file holds (admin.analytics.getFile,
type=member): one object per member and day, natural key (date, user_id).

The fields and their types follow Slack's own SDK types for the answer
(`AdminAnalyticsMemberDetails` of @slack/web-api 7) and the method's documentation,
whose example lines are the test fixture `tests/fixtures/slack_member_analytics_docs.jsonl`
(the real files have no `team_id`; the field guide adds `enterprise_employee_number`,
from SCIM). `email_address` is personal data the platform does not keep: the contract
checks it and keeps only `email_hash`, a salted SHA-256 of the trimmed, lower-cased
address (dop_reporting.slack.privacy), the key that joins members to Dagster+ users;
the address itself is never written (masked in quarantined raw text too).
"""

from __future__ import annotations

from dop_shared.json_lines import Contract, Field

_COUNT = ("UBIGINT", "BIGINT")  # how DuckDB's json_type names JSON integers


def _flag(name: str, description: str) -> Field:
    return Field(name, ("BOOLEAN",), "BOOLEAN", False, description)


def _count(name: str, description: str) -> Field:
    return Field(name, _COUNT, "BIGINT", False, description)


FIELDS: tuple[Field, ...] = (
    Field("enterprise_id", ("VARCHAR",), "VARCHAR", False, "Enterprise Grid organization id."),
    Field("team_id", ("VARCHAR",), "VARCHAR", False, "Workspace id."),
    Field("date", ("VARCHAR",), "DATE", True, "Day of the figures, YYYY-MM-DD in UTC."),
    Field("user_id", ("VARCHAR",), "VARCHAR", True, "Slack member id."),
    Field(
        "email_address",
        ("VARCHAR",),
        "VARCHAR",
        False,
        "Never stored: kept as email_hash, sha256(salt || lower(trim(address, ' '))).",
        drop=True,
        hashed_as="email_hash",
    ),
    Field(
        "enterprise_employee_number",
        ("VARCHAR",),
        "VARCHAR",
        False,
        "Employee number synced through SCIM (Enterprise Grid), when there is one.",
    ),
    _flag("is_guest", "Whether the member is a guest."),
    _flag("is_billable_seat", "Whether the member counts as a paid seat."),
    _flag("is_active", "Whether the member was active that day."),
    _flag("is_active_ios", "Active on iOS that day."),
    _flag("is_active_android", "Active on Android that day."),
    _flag("is_active_desktop", "Active on desktop that day."),
    _count("reactions_added_count", "Reactions added that day."),
    _count("messages_posted_count", "Messages posted that day (all conversations)."),
    _count("channel_messages_posted_count", "Messages posted in channels that day."),
    _count("files_added_count", "Files added that day."),
    _flag("is_active_apps", "Used apps that day."),
    _flag("is_active_workflows", "Used workflows that day."),
    _flag("is_active_slack_connect", "Active in Slack Connect channels that day."),
    _count("total_calls_count", "Calls joined that day."),
    _count("slack_calls_count", "Slack calls joined that day."),
    _count("slack_huddles_count", "Huddles joined that day."),
    _count("search_count", "Searches that day."),
    _count("date_claimed", "When the member claimed the account (Unix seconds)."),
)

MEMBER_ANALYTICS = Contract(FIELDS, noun="member record", partition_column="file_date")
