"""The cloud product tables this location replicates, and how each appears in Dagster.

Two groups, as the dbt sources name them: fast-changing tables synced every few
minutes and slow-changing ones synced daily. Each table is one asset keyed like
its dbt source, `stitch/<group>/<table>`, so dbt's lineage starts at it.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from dop_shared.locations import location
from dop_shared.warehouse import TableRef

HIGH_FREQ = "postgres_etl_high_freq"
LOW_FREQ = "postgres_etl_low_freq"
TABLES: dict[str, tuple[str, ...]] = {
    HIGH_FREQ: (
        "runs",
        "run_tags",
        "step_stats",
        "asset_materializations",
        "asset_check_executions",
    ),
    LOW_FREQ: (
        "plans",
        "organizations",
        "users",
        "organization_users",
        "deployments",
        "code_locations",
        "api_tokens",
    ),
}
SYNC = {HIGH_FREQ: "every 15 minutes", LOW_FREQ: "daily"}
# Older than this and a replica is stale: four missed syncs, or a missed day.
MAX_LAG = {HIGH_FREQ: dt.timedelta(hours=1), LOW_FREQ: dt.timedelta(hours=26)}
CURSOR = "updated_at"
PRIMARY_KEY = "id"
GROUP_NAME = "cloud_usage_replication"


def group_of(table: str) -> str:
    for group, tables in TABLES.items():
        if table in tables:
            return group
    raise KeyError(f"{table!r} is not a replicated cloud product table")


def table_ref(table: str) -> TableRef:
    return TableRef("stitch", group_of(table), table)


def table_spec(table: str) -> dg.AssetSpec:
    """The asset of one replicated table (also what the dlt translator returns).

    Its freshness policy is Dagster's own (evaluated by Dagster, no sensor): the
    replica fails freshness when its last sync is older than `MAX_LAG`."""
    group = group_of(table)
    return dg.AssetSpec(
        table_ref(table).asset_key,
        description=(
            f"Replica of the cloud product table `{table}`, synced {SYNC[group]}: rows changed "
            f"since the last sync (cursor `{CURSOR}`) are merged on `{PRIMARY_KEY}`."
        ),
        group_name=GROUP_NAME,
        owners=location("cloud_usage").owners,
        kinds={"dlt", "postgres"},
        metadata={"dop/primary_key": PRIMARY_KEY, "dop/cursor": CURSOR},
        freshness_policy=dg.FreshnessPolicy.time_window(fail_window=MAX_LAG[group]),
    )
