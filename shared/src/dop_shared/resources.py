"""Resources per environment, so a location's definitions never branch on it.

Secrets are referenced with dg.EnvVar and resolved when a run starts, so
definitions load everywhere (even in a production deployment whose variables
are missing), and a run that needs a missing variable fails naming it.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from dop_shared import environment
from dop_shared.dbt import dbt_project
from dop_shared.slack import slack_resources
from dop_shared.warehouse import DuckDBWarehouse, SnowflakeWarehouse, Warehouse

SNOWFLAKE_VARIABLES = ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_PASSWORD")


def _dbt_executable() -> str:
    """The dbt installed beside this interpreter (a venv need not be on PATH), else PATH's."""
    beside = Path(sysconfig.get_path("scripts")) / "dbt"
    return str(beside) if beside.is_file() else "dbt"


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project(),
        target=environment.dbt_target(),
        dbt_executable=_dbt_executable(),
    )


def warehouse_resource() -> Warehouse:
    """DuckDB files on a laptop; Snowflake in branch deployments and production."""
    if environment.ingestion_warehouse() == "duckdb":
        return DuckDBWarehouse()
    return SnowflakeWarehouse(
        account=dg.EnvVar("SNOWFLAKE_ACCOUNT"),
        user=dg.EnvVar("SNOWFLAKE_USER"),
        password=dg.EnvVar("SNOWFLAKE_PASSWORD"),
        role=dg.EnvVar("SNOWFLAKE_ROLE"),
        warehouse=dg.EnvVar("SNOWFLAKE_WAREHOUSE"),
    )


def common_resources() -> dict[str, object]:
    """What every location gets: `dbt`, `warehouse`, `slack` and `slack_admin`."""
    return {"dbt": dbt_resource(), "warehouse": warehouse_resource(), **slack_resources()}
