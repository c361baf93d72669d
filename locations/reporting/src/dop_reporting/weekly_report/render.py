"""The weekly platform health report as Slack Block Kit, from two rows of the mart.

Pure functions of the week's row and the previous week's (either may lack any
figure), so the same message is posted, updated, logged in a dry run and shown
in the materialization metadata.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MISSING = "n/a"


@dataclass(frozen=True)
class Metric:
    column: str
    label: str
    share: bool = False  # a 0..1 ratio: shown in %, its change in percentage points
    headline: bool = False


METRICS = (
    Metric("oss_weekly_active_instances", "OSS active instances", headline=True),
    Metric("oss_weekly_active_users", "OSS active users"),
    Metric("oss_newest_version_share", "On newest version", share=True),
    Metric("pypi_downloads", "PyPI downloads", headline=True),
    Metric("cloud_active_organizations", "Dagster+ active orgs", headline=True),
    Metric("cloud_runs", "Dagster+ runs"),
    Metric("cloud_failed_runs", "Dagster+ failed runs"),
    Metric("cloud_run_failure_rate", "Run failure rate", share=True),
    Metric("slack_weekly_active_members", "Slack active members", headline=True),
    Metric("slack_posting_members", "Slack posting members"),
    Metric("slack_new_members", "Slack new members"),
    Metric("slack_messages_posted", "Slack messages"),
)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Line:
    label: str
    value: str
    previous: str
    change: str


@dataclass(frozen=True)
class Report:
    week_start: dt.date
    lines: tuple[Line, ...]
    headlines: tuple[Line, ...]
    has_previous: bool

    @property
    def title(self) -> str:
        return f"Platform health, week of {self.week_start:%a %-d %b %Y}"

    def text(self) -> str:
        """The notification and fallback text: the headline figures on one line."""
        figures = "; ".join(f"{h.label} {h.value} ({h.change})" for h in self.headlines)
        return f"{self.title}: {figures}"

    def table(self) -> str:
        header = Line("Metric", "This week", "Last week", "Change")
        rows = (header, *self.lines)
        widths = [max(len(getattr(r, f)) for r in rows) for f in ("label", "value", "previous")]
        return "\n".join(
            f"{r.label:<{widths[0]}}  {r.value:>{widths[1]}}  {r.previous:>{widths[2]}}  {r.change}"
            for r in rows
        )

    def blocks(self) -> list[dict[str, Any]]:
        fields = [
            {"type": "mrkdwn", "text": f"*{h.label}*\n{h.value}  _{h.change}_"}
            for h in self.headlines
        ]
        week_end = self.week_start + dt.timedelta(days=6)
        previous = "compared with the week before" if self.has_previous else "no previous week"
        return [
            {"type": "header", "text": {"type": "plain_text", "text": self.title}},
            {"type": "section", "fields": fields},
            {"type": "section", "text": {"type": "mrkdwn", "text": f"```\n{self.table()}\n```"}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"{self.week_start:%Y-%m-%d} to {week_end:%Y-%m-%d}, {previous}"
                        " · purina/reporting/rpt_weekly_platform_health",
                    }
                ],
            },
        ]

    def markdown(self) -> str:
        """The same report for the Dagster UI (materialization metadata)."""
        rows = "\n".join(
            f"| {r.label} | {r.value} | {r.previous} | {r.change} |" for r in self.lines
        )
        return (
            f"**{self.title}**\n\n| Metric | This week | Last week | Change |\n"
            f"|---|---:|---:|---:|\n{rows}\n"
        )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def format_value(metric: Metric, value: Any) -> str:
    number = _number(value)
    if number is None:
        return MISSING
    return f"{number:.1%}" if metric.share else f"{round(number):,}"


def format_change(metric: Metric, current: Any, previous: Any) -> str:
    now, before = _number(current), _number(previous)
    if now is None or before is None:
        return MISSING
    if metric.share:
        return f"{(now - before) * 100:+.1f} pp"
    if before == 0:
        return "±0" if now == 0 else "new"
    return f"{(now - before) / before:+.1%}"


def render(week_start: dt.date, row: Row, previous: Row | None) -> Report:
    """The report of `row` (the week's), compared with `previous` (None: no such week)."""
    earlier = previous or {}
    lines = tuple(
        Line(
            m.label,
            format_value(m, row.get(m.column)),
            format_value(m, earlier.get(m.column)),
            format_change(m, row.get(m.column), earlier.get(m.column)),
        )
        for m in METRICS
    )
    headlines = tuple(line for line, m in zip(lines, METRICS, strict=True) if m.headline)
    return Report(week_start, lines, headlines, previous is not None)
