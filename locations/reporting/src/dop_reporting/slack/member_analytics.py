"""Slack member analytics, one daily partition per day's file, quarantining broken lines.

The same machinery as OSS telemetry (dop_shared.daily_files): each day is replaced
atomically with its quarantine, lines are judged by the contract (contract.py), and
only a missing file, a cut gzip or a file without one member record fails the day,
keeping its previous rows. Locally the files are generated; in production they come
from Slack's admin.analytics.getFile (sources.py).
"""

import dagster as dg

from dop_reporting.slack.contract import MEMBER_ANALYTICS
from dop_reporting.slack.privacy import EmailHashing
from dop_reporting.slack.sources import SlackAnalyticsFiles
from dop_shared import partitions
from dop_shared.daily_files import DailyJsonLinesFeed
from dop_shared.json_lines import JsonLinesParser
from dop_shared.locations import location
from dop_shared.warehouse import TableRef, Warehouse

RAW = TableRef("purina", "slack", "slack_member_analytics")
QUARANTINE = TableRef("purina", "slack", "slack_member_analytics_quarantine")
FEED = DailyJsonLinesFeed(JsonLinesParser(MEMBER_ANALYTICS), RAW, QUARANTINE)


def build_slack_member_analytics(
    partitions_def: dg.PartitionsDefinition = partitions.DAILY,
) -> dg.AssetsDefinition:
    """The member records and their quarantine over `partitions_def` (the platform's
    history by default; the location builds it with the environment's days, so that
    its per-day checks share the asset's partitions)."""

    @FEED.multi_asset(
        name="slack_member_analytics",
        partitions_def=partitions_def,
        raw="One row per community Slack member and day (admin.analytics.getFile, type "
        "member), as sent, the e-mail address replaced by its salted hash (email_hash).",
        quarantine="Member analytics lines that could not be loaded, and why.",
        group_name="reporting_ingestion",
        owners=location("reporting").owners,
        kinds={"python", "slack"},
        contract_home="dop_reporting.slack.contract",
    )
    def slack_member_analytics(
        context: dg.AssetExecutionContext,
        warehouse: Warehouse,
        slack_files: SlackAnalyticsFiles,
        email_hashing: EmailHashing,
    ):
        yield from FEED.ingest(context, warehouse, slack_files, hash_salt=email_hashing.salt)

    return slack_member_analytics


daily_partitions = partitions.DAILY
slack_member_analytics = build_slack_member_analytics(daily_partitions)
