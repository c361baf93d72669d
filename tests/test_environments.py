"""Keys are identical in every environment; deployments that are misconfigured still load
and fail their runs with a message naming what to fix, and never leak a secret."""

import dagster as dg
import pytest
from helpers import all_definitions, executable_specs

from dop_devtools.local_run import load_location

ENVIRONMENTS = {
    "local": {},
    "local_personal": {"DBT_TARGET": "personal", "SANDBOX_SCHEMA_NAME": "alice"},
    "branch": {
        "DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT": "1",
        "DAGSTER_CLOUD_PULL_REQUEST_ID": "314",
        "DAGSTER_CLOUD_DEPLOYMENT_NAME": "feature-x",
    },
    "prod": {"DAGSTER_CLOUD_DEPLOYMENT_NAME": "prod"},
}
SECRET = "hunter2-do-not-log"


# The reporting location's ingestion multi-asset (raw rows and quarantine), one day of it.
SLACK_KEYS = [
    dg.AssetKey(["purina", "slack", "slack_member_analytics"]),
    dg.AssetKey(["purina", "slack", "slack_member_analytics_quarantine"]),
]
DAY = "2026-01-05"


def _keys(monkeypatch, variables) -> set:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    keys = set()
    for defs in all_definitions().values():
        keys |= {spec.key for spec in executable_specs(defs)}
        keys |= {k for a in defs.assets if hasattr(a, "check_keys") for k in a.check_keys}
    for name in variables:
        monkeypatch.delenv(name)
    return keys


def test_asset_keys_are_identical_in_every_environment(monkeypatch, dbt_manifest):
    keys = {name: _keys(monkeypatch, variables) for name, variables in ENVIRONMENTS.items()}
    assert len(keys["local"]) > 20
    for name, found in keys.items():
        assert found == keys["local"], f"{name} differs: {found ^ keys['local']}"


def _events_text(result) -> str:
    return "\n".join(str(event) for event in result.all_events)


def test_prod_without_snowflake_credentials_loads_and_fails_naming_the_variable(
    monkeypatch, dbt_manifest
):
    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", SECRET)
    defs = load_location("reporting")
    specs = {spec.key.to_user_string(): spec for spec in executable_specs(defs)}
    assert set(specs["purina/slack/slack_member_analytics"].kinds) >= {"snowflake"}
    job = defs.resolve_implicit_job_def_def_for_assets(SLACK_KEYS)
    # Dagster resolves dg.EnvVar when the run starts: the run is refused before any step.
    with pytest.raises(dg.DagsterInvalidConfigError) as error:
        job.execute_in_process(asset_selection=SLACK_KEYS, partition_key=DAY)
    message = str(error.value)
    assert 'environment variable "SNOWFLAKE_ACCOUNT" which is not set' in message
    assert SECRET not in message


def test_prod_dbt_run_without_credentials_names_the_variable(monkeypatch, dbt_manifest):
    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", SECRET)
    defs = load_location("reporting")
    key = dg.AssetKey(["purina", "staging", "stg_slack__member_analytics"])
    result = defs.resolve_implicit_job_def_def_for_assets([key]).execute_in_process(
        asset_selection=[key], raise_on_error=False
    )
    assert not result.success
    text = _events_text(result)
    assert "SNOWFLAKE_ACCOUNT" in text
    assert SECRET not in text


@pytest.mark.parametrize("pull_request", [None, "", "12; drop database purina"])
def test_branch_with_a_bad_pull_request_id(monkeypatch, dbt_manifest, data_dir, pull_request):
    monkeypatch.setenv("DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT", "1")
    for name in (
        "SNOWFLAKE_ACCOUNT",
        "SNOWFLAKE_USER",
        "SNOWFLAKE_PASSWORD",
        "SNOWFLAKE_ROLE",
        "SNOWFLAKE_WAREHOUSE",
    ):
        monkeypatch.setenv(name, "x")
    if pull_request is not None:
        monkeypatch.setenv("DAGSTER_CLOUD_PULL_REQUEST_ID", pull_request)
    defs = load_location("reporting")  # loading succeeds
    spec = next(s for s in executable_specs(defs) if s.key == SLACK_KEYS[0])
    assert "DAGSTER_CLOUD_PULL_REQUEST_ID" in spec.metadata["dop/configuration_error"]
    monkeypatch.setenv("SLACK_ADMIN_TOKEN", "x")
    monkeypatch.setenv("DOP_EMAIL_HASH_SALT", "x")
    result = defs.resolve_implicit_job_def_def_for_assets(SLACK_KEYS).execute_in_process(
        asset_selection=SLACK_KEYS, partition_key=DAY, raise_on_error=False
    )
    assert not result.success
    text = _events_text(result)
    assert "DAGSTER_CLOUD_PULL_REQUEST_ID" in text
    if pull_request:
        assert "drop database" not in text
