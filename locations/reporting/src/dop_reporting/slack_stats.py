"""Daily analytics of the community Slack workspace (locally: the generated file)."""

from dop_shared import paths
from dop_shared.file_assets import csv_table_asset
from dop_shared.warehouse import TableRef

MEMBER_STATS = TableRef("purina", "slack", "slack_member_stats")

slack_member_stats = csv_table_asset(
    table=MEMBER_STATS,
    source_file=paths.SLACK_MEMBER_STATS_FILE,
    columns={
        "date": "DATE",
        "total_enabled_membership_count": "BIGINT",
        "full_members": "BIGINT",
        "guests": "BIGINT",
        "daily_active_members": "BIGINT",
        "weekly_active_members": "BIGINT",
        "daily_members_posting_messages": "BIGINT",
        "messages_in_public_channels": "BIGINT",
    },
    description="Daily membership and activity counts of the community Slack workspace.",
    location_name="reporting",
    group_name="reporting_ingestion",
    kinds={"python", "slack"},
)
