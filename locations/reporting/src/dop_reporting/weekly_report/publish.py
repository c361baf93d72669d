"""Post a week's report to Slack exactly once, even across a crash.

The message carries Slack message metadata naming its week (event type
`dop_weekly_report`). A week whose message is recorded (messages.MessageLog) is edited
with chat.update. A week with no record is looked for in the channel first
(conversations.history with include_all_metadata, from the end of the week on): a run
that posted and then died before storing the `ts` left its message there, and that
message is adopted (stored and updated) instead of posting a second one. Only when
neither exists is the report posted, then recorded at once.

Besides chat:write, the bot needs channels:history (groups:history for a private
channel) for the lookup, and channels:read (groups:read) when the channel is configured
by name, to find its ID; configure the channel by ID to skip that call.
"""

from __future__ import annotations

import datetime as dt
import re

from slack_sdk import WebClient

from dop_reporting.weekly_report.messages import MessageLog, PostedMessage
from dop_reporting.weekly_report.render import Report
from dop_shared.slack import DopSlackResource, SlackCallError

EVENT_TYPE = "dop_weekly_report"
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{6,}")


def message_metadata(week_start: dt.date) -> dict:
    """Slack message metadata marking the report of `week_start`."""
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {"week_start": week_start.isoformat(), "report": "weekly_platform_health"},
    }


def _is_report_of(message: dict, week_start: dt.date) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == EVENT_TYPE and payload.get("week_start") == str(week_start)


def _pages(slack: DopSlackResource, method: str, configured: str, call, /, **params):
    """Every page of a cursor-paginated Slack method (errors name `configured`)."""
    cursor = None
    while True:
        with slack.explained_errors(method, configured):
            page = call(cursor=cursor, **params)
        yield page
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


def channel_id(slack: DopSlackResource, client: WebClient, channel: str) -> str | None:
    """The ID of `channel` (a name or an ID); None when no channel has that name."""
    name = channel.lstrip("#")
    if _CHANNEL_ID.fullmatch(name):
        return name
    pages = _pages(
        slack,
        "conversations.list",
        channel,
        client.conversations_list,
        types="public_channel,private_channel",
        exclude_archived=True,
        limit=1000,
    )
    return next((c["id"] for page in pages for c in page["channels"] if c["name"] == name), None)


def find_posted(
    slack: DopSlackResource, client: WebClient, channel: str, week_start: dt.date
) -> tuple[str, str] | None:
    """(channel ID, ts) of the week's report already in the channel, by its metadata."""
    found_id = channel_id(slack, client, channel)
    if found_id is None:  # posting will fail naming the channel
        return None
    week_end = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time(), dt.UTC)
    pages = _pages(
        slack,
        "conversations.history",
        channel,
        client.conversations_history,
        channel=found_id,
        oldest=str(week_end.timestamp()),  # a week's report is posted after it closes
        include_all_metadata=True,
        limit=200,
    )
    for page in pages:
        for message in page["messages"]:
            if _is_report_of(message, week_start):
                return found_id, message["ts"]
    return None


def _update(slack: DopSlackResource, client: WebClient, channel: str, ts: str, content) -> bool:
    """Edit the message; False when Slack no longer has it (deleted there)."""
    try:
        with slack.explained_errors("chat.update", channel):
            client.chat_update(channel=channel, ts=ts, **content)
        return True
    except SlackCallError as error:
        if error.code != "message_not_found":
            raise
        return False


def publish(
    slack: DopSlackResource, log: MessageLog, report: Report, channel: str
) -> tuple[str, PostedMessage]:
    """("updated" | "recovered" | "posted", the week's message) after making the channel
    hold exactly one message of the report, with its current content."""
    client = slack.get_client()
    week = report.week_start
    content = {
        "text": report.text(),
        "blocks": report.blocks(),
        "metadata": message_metadata(week),
    }
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    posted = log.find(week, channel)
    if posted is not None and _update(slack, client, posted.channel, posted.ts, content):
        log.save(posted.updated(now))
        return "updated", posted
    found = find_posted(slack, client, channel, week)
    if found is not None and _update(slack, client, found[0], found[1], content):
        sent = dt.datetime.fromtimestamp(float(found[1]), dt.UTC).replace(tzinfo=None)
        message = PostedMessage(week, channel, found[0], found[1], sent, now)
        log.save(message)
        return "recovered", message
    with slack.explained_errors("chat.postMessage", channel):
        answer = client.chat_postMessage(channel=channel, unfurl_links=False, **content)
    message = PostedMessage(week, channel, answer["channel"], answer["ts"], now, now)
    log.save(message)
    return "posted", message
