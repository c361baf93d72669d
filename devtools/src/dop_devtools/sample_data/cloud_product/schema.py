"""The cloud product's tables, one SQLAlchemy definition for SQLite and Postgres.

Shaped like Dagster+'s product database: organizations on a plan move trial ->
paying -> churned, have deployments (full and branch), code locations, members
with a role and API tokens; runs belong to deployments and carry tags, step
statistics, asset materializations and check executions. Every table has an
integer `id` primary key and an `updated_at`; what the product soft-deletes has
`deleted_at`. `HIGH_FREQ` / `LOW_FREQ` are the replication groups (the dbt
sources postgres_etl_high_freq / postgres_etl_low_freq).
"""

from __future__ import annotations

import sqlalchemy as sa

from dop_cloud_usage.tables import HIGH_FREQ as _HIGH
from dop_cloud_usage.tables import LOW_FREQ as _LOW
from dop_cloud_usage.tables import TABLES

metadata = sa.MetaData()


def _table(name: str, *columns: sa.Column, soft_delete: bool = False) -> sa.Table:
    times = [
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False, index=True),
    ]
    if soft_delete:
        times.append(sa.Column("deleted_at", sa.DateTime))
    return sa.Table(name, metadata, sa.Column("id", sa.Integer, primary_key=True), *columns, *times)


def _ref(column: str, target: str, nullable: bool = False) -> sa.Column:
    return sa.Column(column, sa.Integer, sa.ForeignKey(f"{target}.id"), nullable=nullable)


def _text(column: str, nullable: bool = False) -> sa.Column:
    return sa.Column(column, sa.Text, nullable=nullable)


plans = _table(
    "plans",
    _text("name"),
    sa.Column("monthly_price_usd", sa.Integer, nullable=False),
    sa.Column("included_credits", sa.Integer, nullable=False),
)
organizations = _table(
    "organizations",
    _text("public_id"),
    _text("name"),
    _ref("plan_id", "plans"),
    _text("status"),  # TRIAL, ACTIVE (paying), CHURNED
    sa.Column("trial_started_at", sa.DateTime, nullable=False),
    sa.Column("subscribed_at", sa.DateTime),
    sa.Column("churned_at", sa.DateTime),
)
users = _table("users", _text("email"), _text("name"))
organization_users = _table(
    "organization_users",
    _ref("organization_id", "organizations"),
    _ref("user_id", "users"),
    _text("role"),  # ADMIN, EDITOR, LAUNCHER, VIEWER
    soft_delete=True,
)
deployments = _table(
    "deployments",
    _ref("organization_id", "organizations"),
    _text("name"),
    sa.Column("is_branch_deployment", sa.Boolean, nullable=False),
    soft_delete=True,
)
code_locations = _table(
    "code_locations",
    _ref("deployment_id", "deployments"),
    _text("name"),
    _text("image"),
    soft_delete=True,
)
api_tokens = _table(
    "api_tokens",
    _ref("organization_id", "organizations"),
    _ref("user_id", "users"),
    _text("description"),
    soft_delete=True,
)
runs = _table(
    "runs",
    _text("run_id"),  # the run's UUID, as Dagster shows it
    _ref("organization_id", "organizations"),
    _ref("deployment_id", "deployments"),
    _text("job_name"),
    _text("status"),
    sa.Column("started_at", sa.DateTime),
    sa.Column("ended_at", sa.DateTime),
)
run_tags = _table("run_tags", _text("run_id"), _text("key"), _text("value"))
step_stats = _table(
    "step_stats",
    _text("run_id"),
    _text("step_key"),
    _text("status"),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime),
)
asset_materializations = _table(
    "asset_materializations",
    _text("run_id"),
    _ref("deployment_id", "deployments"),
    _text("asset_key"),
    _text("step_key"),
)
asset_check_executions = _table(
    "asset_check_executions",
    _text("run_id"),
    _ref("deployment_id", "deployments"),
    _text("asset_key"),
    _text("check_name"),
    sa.Column("passed", sa.Boolean, nullable=False),
)

# The replication groups are the location's; the generator writes exactly those tables.
HIGH_FREQ, LOW_FREQ = TABLES[_HIGH], TABLES[_LOW]
