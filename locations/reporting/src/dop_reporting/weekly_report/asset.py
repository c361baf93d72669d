"""The weekly report asset: render the week from the mart, post or update it in Slack.

Posting happens only in production (or when run config forces it); elsewhere the
message is rendered and logged, a dry run. Either way the rendered message is in
the materialization metadata, so it can be read in the UI without Slack. Exactly once
per week, crash or not: publish.py.
"""

import datetime as dt
import os

import dagster as dg
from pydantic import Field

from dop_reporting.weekly_report.messages import MessageLog
from dop_reporting.weekly_report.publish import publish
from dop_reporting.weekly_report.render import render
from dop_shared import environment, partitions
from dop_shared.definitions import NOT_A_TABLE
from dop_shared.locations import location
from dop_shared.slack import DopSlackResource
from dop_shared.warehouse import Partition, TableRef, Warehouse

MART = TableRef("purina", "reporting", "rpt_weekly_platform_health")
CHANNEL_VARIABLE = "SLACK_REPORT_CHANNEL"
DEFAULT_CHANNEL = "#platform-health"


class WeeklyReportConfig(dg.Config):
    channel: str | None = Field(
        default=None,
        description=f"Channel to post to; default ${CHANNEL_VARIABLE}, else {DEFAULT_CHANNEL}.",
    )
    post_outside_prod: bool = Field(
        default=False,
        description="Post to Slack outside production too (otherwise a dry run there).",
    )


def _week_rows(warehouse: Warehouse, week: dt.date) -> tuple[dict, dict | None]:
    """The week's row of the mart and the previous week's (None when absent)."""
    previous_week = week - dt.timedelta(days=7)
    physical = MART.model_physical()
    weeks = Partition("week_start", previous_week, end=week + dt.timedelta(days=1))
    rows = warehouse.rows(physical, weeks)
    by_week = {dt.date.fromisoformat(str(r["week_start"])[:10]): r for r in rows}
    if week not in by_week:
        raise dg.Failure(
            description=(
                f"No row for the week of {week} in {physical}: materialize "
                f"{MART.asset_key.to_user_string()} (after its telemetry, cloud usage and "
                "Slack inputs) for that week, then run this report again."
            )
        )
    return by_week[week], by_week.get(previous_week)


weekly_partitions = partitions.WEEKLY  # Monday weeks; narrowed locally at load


@dg.asset(
    key=["purina", "reporting", "weekly_platform_health_report"],
    partitions_def=weekly_partitions,
    deps=[MART.asset_key],
    kinds={"slack"},
    owners=location("reporting").owners,
    group_name="reporting",
    metadata={NOT_A_TABLE: True},
    description=(
        "The week's platform health (OSS, Dagster+, community Slack; week-over-week "
        "change) posted to Slack once per week: a re-run edits the posted message, found "
        "by its stored ts or, after a crash before storing it, by its Slack metadata. "
        "Posts only in production unless run config sets post_outside_prod; the "
        "rendered message is in the materialization metadata."
    ),
)
def weekly_platform_health_report(
    context: dg.AssetExecutionContext,
    config: WeeklyReportConfig,
    warehouse: Warehouse,
    slack: DopSlackResource,
) -> dg.MaterializeResult:
    channel = config.channel or os.getenv(CHANNEL_VARIABLE) or DEFAULT_CHANNEL
    production = environment.current_environment() is environment.Environment.PROD
    post = production or config.post_outside_prod
    weeks = [dt.date.fromisoformat(key) for key in context.partition_keys]
    reports = [render(week, *_week_rows(warehouse, week)) for week in weeks]  # all, or fail
    actions: dict[str, str] = {}
    ts = None
    for report in reports:
        if not post:
            context.log.info(
                f"Dry run (not production; set post_outside_prod to post): would post to "
                f"{channel}:\n{report.text()}\n{report.table()}"
            )
            actions[str(report.week_start)] = "dry run"
            continue
        action, message = publish(slack, MessageLog(warehouse), report, channel)
        context.log.info(f"{action} the report of {report.week_start} in {channel} ({message.ts})")
        actions[str(report.week_start)], ts = action, message.ts
    last = reports[-1]
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.md("\n".join(r.markdown() for r in reports)),
            "blocks": dg.MetadataValue.json({"blocks": last.blocks()}),
            "text": last.text(),
            "slack/channel": channel,
            "slack/action": actions[str(last.week_start)],
            "slack/actions": dg.MetadataValue.json(actions),
            **({"slack/ts": ts} if ts else {}),
        }
    )
