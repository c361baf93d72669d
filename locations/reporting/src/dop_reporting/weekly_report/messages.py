"""Which Slack message is each week's report: the record that makes posting exactly once.

A week's message is posted once per channel and its `ts` stored at once in
purina.reporting.slack_report_messages; every later run of that week finds it here
and edits that message (chat.update) instead of posting another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace

import pyarrow as pa

from dop_shared.warehouse import Partition, TableRef, Warehouse

MESSAGES = TableRef("purina", "reporting", "slack_report_messages")

SCHEMA = pa.schema(
    [
        ("week_start", pa.date32()),
        ("channel_name", pa.string()),  # as configured ("#platform-health")
        ("channel", pa.string()),  # Slack's channel ID, which chat.update needs
        ("ts", pa.string()),
        ("posted_at", pa.timestamp("us")),
        ("updated_at", pa.timestamp("us")),
    ]
)


@dataclass(frozen=True)
class PostedMessage:
    week_start: dt.date
    channel_name: str
    channel: str
    ts: str
    posted_at: dt.datetime
    updated_at: dt.datetime

    def updated(self, at: dt.datetime) -> PostedMessage:
        return replace(self, updated_at=at)


class MessageLog:
    """The posted messages of the report, in the warehouse (one row per week and channel)."""

    def __init__(self, warehouse: Warehouse):
        self._warehouse = warehouse

    def _week(self, week_start: dt.date) -> list[PostedMessage]:
        rows = self._warehouse.rows(MESSAGES.physical(), Partition("week_start", week_start))
        return [PostedMessage(**{f: row[f] for f in SCHEMA.names}) for row in rows]

    def find(self, week_start: dt.date, channel_name: str) -> PostedMessage | None:
        return next((m for m in self._week(week_start) if m.channel_name == channel_name), None)

    def save(self, message: PostedMessage) -> None:
        """Insert or replace the message of its week and channel (one transaction)."""
        others = [
            m for m in self._week(message.week_start) if m.channel_name != message.channel_name
        ]
        rows = [asdict(m) for m in (*others, message)]
        self._warehouse.replace(
            MESSAGES,
            pa.Table.from_pylist(rows, schema=SCHEMA),
            Partition("week_start", message.week_start),
        )
