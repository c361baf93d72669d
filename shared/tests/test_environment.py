"""The environment model: pure functions of the variables Dagster+ sets."""

import pytest

from dop_shared import environment as env
from dop_shared.environment import Environment, EnvironmentConfigError

BRANCH = {"DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT": "1", "DAGSTER_CLOUD_PULL_REQUEST_ID": "123"}
PROD = {"DAGSTER_CLOUD_DEPLOYMENT_NAME": "prod"}


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, Environment.LOCAL),
        ({"DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT": "0"}, Environment.LOCAL),
        (PROD, Environment.PROD),
        (BRANCH, Environment.BRANCH),
        # a branch deployment also has a deployment name; the branch flag wins
        ({**BRANCH, "DAGSTER_CLOUD_DEPLOYMENT_NAME": "feature-x"}, Environment.BRANCH),
    ],
)
def test_current_environment(variables, expected):
    assert env.current_environment(variables) is expected


def test_unknown_deployment_is_an_error_not_a_silent_local():
    with pytest.raises(EnvironmentConfigError, match="DAGSTER_CLOUD_DEPLOYMENT_NAME"):
        env.current_environment({"DAGSTER_CLOUD_DEPLOYMENT_NAME": "staging"})
    with pytest.raises(EnvironmentConfigError, match="DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT"):
        env.current_environment({"DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT": "yes"})


def test_reads_the_process_environment_when_called(monkeypatch):
    assert env.current_environment() is Environment.LOCAL
    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")
    assert env.current_environment() is Environment.PROD


@pytest.mark.parametrize(
    ("variables", "database"),
    [({}, "SANDBOX"), (BRANCH, "PURINA_CLONE_123"), (PROD, "PURINA")],
)
def test_models_database(variables, database):
    assert env.models_database(variables) == database


def test_raw_databases_follow_the_environment():
    assert env.physical_database("purina", {}) == "PURINA"
    assert env.physical_database("stitch", {}) == "STITCH"
    assert env.physical_database("stitch", BRANCH) == "STITCH_CLONE_123"
    assert env.physical_database("purina", PROD) == "PURINA"
    with pytest.raises(EnvironmentConfigError, match="known: purina, stitch, sandbox"):
        env.physical_database("analytics", {})


@pytest.mark.parametrize("bad", [None, "", "   ", "12; drop database purina", "12a", "-1", "١٢"])
def test_pull_request_id_must_be_digits(bad):
    variables = {"DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT": "1"}
    if bad is not None:
        variables["DAGSTER_CLOUD_PULL_REQUEST_ID"] = bad
    with pytest.raises(EnvironmentConfigError, match="DAGSTER_CLOUD_PULL_REQUEST_ID") as error:
        env.models_database(variables)
    # the offending value is never echoed (it could be anything, including SQL)
    if bad and bad.strip():
        assert bad.strip() not in str(error.value)


def test_schema_is_the_engineers_sandbox_only_locally():
    assert env.physical_schema("telemetry", {}) == "telemetry"
    assert env.physical_schema("telemetry", {"SANDBOX_SCHEMA_NAME": "Alice"}) == "alice"
    assert env.physical_schema("telemetry", {**PROD, "SANDBOX_SCHEMA_NAME": "alice"}) == "telemetry"
    with pytest.raises(EnvironmentConfigError, match="SANDBOX_SCHEMA_NAME"):
        env.physical_schema("telemetry", {"SANDBOX_SCHEMA_NAME": "a; drop"})


@pytest.mark.parametrize(
    ("variables", "target", "warehouse"),
    [
        ({}, "local", "duckdb"),
        ({"DBT_TARGET": "personal"}, "personal", "snowflake"),
        (BRANCH, "branch_deployment", "snowflake"),
        (PROD, "prod", "snowflake"),
    ],
)
def test_dbt_target_and_warehouse(variables, target, warehouse):
    assert env.dbt_target(variables) == target
    assert env.warehouse(variables) == warehouse


def test_unknown_dbt_target_lists_the_valid_ones():
    with pytest.raises(EnvironmentConfigError) as error:
        env.dbt_target({"DBT_TARGET": "dev"})
    message = str(error.value)
    assert "'dev'" in message
    for target in ("local", "personal", "branch_deployment", "prod"):
        assert target in message


def test_a_target_of_another_environment_is_refused():
    with pytest.raises(EnvironmentConfigError, match="valid here: local, personal"):
        env.dbt_target({"DBT_TARGET": "prod"})
    with pytest.raises(EnvironmentConfigError, match="valid here: prod"):
        env.dbt_target({**PROD, "DBT_TARGET": "local"})


def test_data_window():
    # the local sample is a fixed calendar: all of it, however long ago it ends
    assert env.data_window_days({}) is None
    assert env.data_window_days({"DBT_TARGET": "personal"}) == 90
    assert env.data_window_days({"DOP_DATA_WINDOW_DAYS": "7"}) == 7
    assert env.data_window_days(BRANCH) == 90
    assert env.data_window_days(PROD) is None


def test_ingestion_warehouse_ignores_the_dbt_target():
    assert env.ingestion_warehouse({"DBT_TARGET": "personal"}) == "duckdb"
    assert env.ingestion_warehouse(PROD) == "snowflake"


def test_local_sources_only_on_a_laptop():
    assert env.uses_local_sources({}) is True
    assert env.uses_local_sources({"DBT_TARGET": "personal"}) is True
    assert env.uses_local_sources(BRANCH) is False
    assert env.uses_local_sources(PROD) is False
