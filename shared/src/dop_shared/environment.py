"""Where the code runs, and everything that follows from it.

Every function here reads the process environment *when called* (or a mapping
passed in, which is how the tests drive them), never at import time, so a
module that imports this one has no hidden dependency on the variables set
when it was first imported.

The one decision (`current_environment`) is made from the variables Dagster+
sets; every other environment-dependent value (database, schema, dbt target,
data window, warehouse) is derived from it here and nowhere else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum


class Environment(StrEnum):
    LOCAL = "local"
    BRANCH = "branch"
    PROD = "prod"


class EnvironmentConfigError(ValueError):
    """A deployment variable is missing or malformed; the message says which and how to fix it."""


# The Snowflake databases the platform knows. Asset keys always use these logical,
# lower-case names; the physical database of the current environment is derived below.
ANALYTICS_DATABASE = "purina"
SANDBOX_DATABASE = "sandbox"
RAW_DATABASES = ("purina", "stitch")
KNOWN_DATABASES = ("purina", "stitch", "sandbox")

DEV_DATA_WINDOW_DAYS = 90

# dbt targets, and which environments may use each one.
TARGETS_BY_ENVIRONMENT: Mapping[Environment, tuple[str, ...]] = {
    Environment.LOCAL: ("local", "personal"),
    Environment.BRANCH: ("branch_deployment",),
    Environment.PROD: ("prod",),
}
VALID_DBT_TARGETS = ("local", "personal", "branch_deployment", "prod")
DUCKDB_TARGETS = frozenset({"local"})

_BRANCH_FLAG = "DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT"
_DEPLOYMENT_NAME = "DAGSTER_CLOUD_DEPLOYMENT_NAME"
_PULL_REQUEST_ID = "DAGSTER_CLOUD_PULL_REQUEST_ID"

# Every variable that changes what the functions below return (none changes a key).
DECIDING_VARIABLES = (
    _BRANCH_FLAG,
    _DEPLOYMENT_NAME,
    _PULL_REQUEST_ID,
    "DBT_TARGET",
    "SANDBOX_SCHEMA_NAME",
    "DOP_DATA_WINDOW_DAYS",
)
_PROD_DEPLOYMENT = "prod"


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def current_environment(env: Mapping[str, str] | None = None) -> Environment:
    """LOCAL, BRANCH or PROD, from the variables Dagster+ sets in each deployment.

    BRANCH when DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT is "1"; PROD when the deployment
    is named "prod"; LOCAL when neither variable is set (a laptop, tests, CI).
    Any other value is a configuration error rather than a silent fallback: a
    full deployment named e.g. "staging" must not quietly write to a sandbox.
    """
    values = _env(env)
    branch_flag = values.get(_BRANCH_FLAG, "").strip()
    if branch_flag not in ("", "0", "1"):
        raise EnvironmentConfigError(
            f'{_BRANCH_FLAG} must be "1" (branch deployment) or "0"/unset, got {branch_flag!r}.'
        )
    if branch_flag == "1":
        return Environment.BRANCH
    deployment = values.get(_DEPLOYMENT_NAME, "").strip()
    if deployment == _PROD_DEPLOYMENT:
        return Environment.PROD
    if deployment:
        raise EnvironmentConfigError(
            f"{_DEPLOYMENT_NAME}={deployment!r} is not a deployment this platform knows: "
            f'use "{_PROD_DEPLOYMENT}" for production, set {_BRANCH_FLAG}=1 for a branch '
            "deployment, or unset it to run locally."
        )
    return Environment.LOCAL


def pull_request_id(env: Mapping[str, str] | None = None) -> str:
    """The branch deployment's pull request number, validated to be digits only.

    It becomes part of a database name (PURINA_CLONE_<id>), so anything but digits is
    refused here, before it can reach SQL or a dbt profile.
    """
    raw = _env(env).get(_PULL_REQUEST_ID)
    if raw is None or not raw.strip():
        raise EnvironmentConfigError(
            f"{_PULL_REQUEST_ID} is not set, but this is a branch deployment "
            f"({_BRANCH_FLAG}=1): the clone database PURINA_CLONE_<pull request id> "
            "cannot be named without it."
        )
    value = raw.strip()
    if not (value.isascii() and value.isdigit()):
        raise EnvironmentConfigError(
            f"{_PULL_REQUEST_ID} must be the pull request number (digits only); "
            f"got a value of {len(raw)} characters that is not. It is never used in SQL as is."
        )
    return value


def physical_database(logical: str, env: Mapping[str, str] | None = None) -> str:
    """The database the current environment reads or writes for a logical database.

    - dbt models (logical `purina`, written by dbt): SANDBOX locally, PURINA_CLONE_<pr> in
      a branch deployment, PURINA in production.
    - raw data (`purina` sources, `stitch`): in a branch deployment the per-PR clone of
      that database; otherwise the database itself (locally, its DuckDB file).
    Use `models_database` for what dbt writes; this function is for raw sources.
    """
    name = logical.lower()
    if name not in KNOWN_DATABASES:
        raise EnvironmentConfigError(
            f"Unknown logical database {logical!r}; known: {', '.join(KNOWN_DATABASES)}."
        )
    environment = current_environment(env)
    if environment is Environment.BRANCH and name in RAW_DATABASES:
        return f"{name.upper()}_CLONE_{pull_request_id(env)}"
    return name.upper()


def models_database(env: Mapping[str, str] | None = None) -> str:
    """The database dbt writes models to: SANDBOX / PURINA_CLONE_<pr> / PURINA."""
    environment = current_environment(env)
    if environment is Environment.LOCAL:
        return SANDBOX_DATABASE.upper()
    return physical_database(ANALYTICS_DATABASE, env)


def sandbox_schema(env: Mapping[str, str] | None = None) -> str | None:
    """The engineer's own schema (SANDBOX_SCHEMA_NAME) when running locally, else None.

    When set, every model lands in that one schema of SANDBOX, so two engineers
    sharing a Snowflake sandbox never overwrite each other's tables.
    """
    if current_environment(env) is not Environment.LOCAL:
        return None
    value = _env(env).get("SANDBOX_SCHEMA_NAME", "").strip()
    if not value:
        return None
    if not value.replace("_", "").isalnum() or not value.isascii() or value[0].isdigit():
        raise EnvironmentConfigError(
            "SANDBOX_SCHEMA_NAME must be a plain identifier (letters, digits, underscores, "
            f"not starting with a digit); got {value!r}."
        )
    return value.lower()


def physical_schema(default_schema: str, env: Mapping[str, str] | None = None) -> str:
    """The schema a model is written to: the engineer's sandbox schema, or its own."""
    return sandbox_schema(env) or default_schema


def dbt_target(env: Mapping[str, str] | None = None) -> str:
    """The dbt target: DBT_TARGET (default `local`) locally; fixed in branch and prod."""
    environment = current_environment(env)
    allowed = TARGETS_BY_ENVIRONMENT[environment]
    requested = _env(env).get("DBT_TARGET", "").strip()
    if not requested:
        return allowed[0]
    if requested not in VALID_DBT_TARGETS:
        raise EnvironmentConfigError(
            f"DBT_TARGET={requested!r} is not a dbt target of this project. "
            f"Valid targets: {', '.join(VALID_DBT_TARGETS)}."
        )
    if requested not in allowed:
        raise EnvironmentConfigError(
            f"DBT_TARGET={requested!r} cannot be used in the {environment.value} environment; "
            f"valid here: {', '.join(allowed)}."
        )
    return requested


def warehouse(env: Mapping[str, str] | None = None) -> str:
    """`duckdb` or `snowflake`: the engine behind the current dbt target."""
    return "duckdb" if dbt_target(env) in DUCKDB_TARGETS else "snowflake"


def uses_local_sources(env: Mapping[str, str] | None = None) -> bool:
    """True on a laptop: sources are the generated files and the warehouse is DuckDB.
    Locations choose their source resources with this, never by testing the
    environment themselves."""
    return current_environment(env) is Environment.LOCAL


def ingestion_warehouse(env: Mapping[str, str] | None = None) -> str:
    """Where ingestion assets write: the local DuckDB files on a laptop, Snowflake elsewhere.

    Independent of DBT_TARGET: with `personal`, dbt reads production raw data on
    Snowflake while local ingestion keeps filling the laptop's own files.
    """
    return "duckdb" if uses_local_sources(env) else "snowflake"


def data_window_days(env: Mapping[str, str] | None = None) -> int | None:
    """Days of history dbt models keep: 90 outside production, all (None) in it and
    over the local sample (a fixed calendar: a window counted back from today would
    empty it as the months pass).

    DOP_DATA_WINDOW_DAYS overrides it outside production: a number, or `all`.
    """
    if current_environment(env) is Environment.PROD:
        return None
    override = _env(env).get("DOP_DATA_WINDOW_DAYS", "").strip().lower()
    if not override:
        return None if warehouse(env) == "duckdb" else DEV_DATA_WINDOW_DAYS
    if override == "all":
        return None
    if not override.isdigit() or int(override) < 1:
        raise EnvironmentConfigError(
            f"DOP_DATA_WINDOW_DAYS must be a positive number of days or 'all', got {override!r}."
        )
    return int(override)
