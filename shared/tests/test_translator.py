"""The translator on plain dicts shaped like manifest nodes."""

import pytest

from dop_shared.locations import location
from dop_shared.translator import DbtKeyError, DopDbtTranslator, physical_table

MODEL = {
    "resource_type": "model",
    "unique_id": "model.dop.fct_x",
    "name": "fct_x",
    "alias": "fct_x",
    "database": "sandbox",  # what the parse target resolved: must not leak into keys
    "schema": "alice",
    "config": {"schema": "telemetry", "materialized": "table"},
    "fqn": ["dop", "marts", "telemetry", "fct_x"],
    "description": "A fact.",
    "columns": {"id": {"name": "id", "description": "Key.", "data_type": None}},
    "meta": {},
    "tags": [],
}
SOURCE = {
    "resource_type": "source",
    "unique_id": "source.dop.prod_telemetry.events",
    "source_name": "prod_telemetry",
    "name": "events",
    "identifier": "oss_telemetry_events_raw",
    "database": "PURINA_CLONE_7",
    "schema": "prod_telemetry",
    "meta": {},
    "source_meta": {"logical_database": "purina"},
    "config": {},
    "fqn": ["dop", "staging", "prod_telemetry", "events"],
    "description": "",
    "columns": {},
    "tags": [],
}
BRANCH = {"DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT": "1", "DAGSTER_CLOUD_PULL_REQUEST_ID": "42"}
PROD = {"DAGSTER_CLOUD_DEPLOYMENT_NAME": "prod"}


@pytest.fixture
def translator():
    return DopDbtTranslator(location("telemetry"))


def _set(monkeypatch, variables):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("variables", [{}, {"SANDBOX_SCHEMA_NAME": "bob"}, BRANCH, PROD])
def test_keys_are_logical_and_lower_case_in_every_environment(translator, monkeypatch, variables):
    _set(monkeypatch, variables)
    assert translator.get_asset_key(MODEL).path == ["purina", "telemetry", "fct_x"]
    assert translator.get_asset_key(SOURCE).path == [
        "purina",
        "prod_telemetry",
        "oss_telemetry_events_raw",
    ]


def test_upper_case_names_are_lowered(translator):
    model = {**MODEL, "name": "FCT_X", "config": {"schema": "Telemetry"}}
    assert translator.get_asset_key(model).path == ["purina", "telemetry", "fct_x"]


def test_missing_schema_or_logical_database_says_what_to_add(translator):
    with pytest.raises(DbtKeyError, match=r"\+schema"):
        translator.get_asset_key({**MODEL, "config": {}})
    with pytest.raises(DbtKeyError, match="logical_database"):
        translator.get_asset_key({**SOURCE, "source_meta": {}})


@pytest.mark.parametrize(
    ("variables", "model_table", "source_table"),
    [
        ({}, "SANDBOX.telemetry.fct_x", "PURINA.prod_telemetry.oss_telemetry_events_raw"),
        (
            {"SANDBOX_SCHEMA_NAME": "bob"},
            "SANDBOX.bob.fct_x",
            "PURINA.prod_telemetry.oss_telemetry_events_raw",
        ),
        (
            BRANCH,
            "PURINA_CLONE_42.telemetry.fct_x",
            "PURINA_CLONE_42.prod_telemetry.oss_telemetry_events_raw",
        ),
        (PROD, "PURINA.telemetry.fct_x", "PURINA.prod_telemetry.oss_telemetry_events_raw"),
    ],
)
def test_table_name_metadata_is_the_physical_table(
    translator, monkeypatch, variables, model_table, source_table
):
    _set(monkeypatch, variables)
    assert physical_table(MODEL) == model_table
    assert physical_table(SOURCE) == source_table
    assert translator.get_metadata(MODEL)["dagster/table_name"] == model_table


def test_snowflake_link_only_where_snowflake_is_the_warehouse(translator, monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_ACCOUNT", "acme-analytics")
    assert "snowflake_url" not in translator.get_metadata(MODEL)  # local DuckDB
    _set(monkeypatch, PROD)
    url = translator.get_metadata(MODEL)["snowflake_url"].value
    assert url == (
        "https://app.snowflake.com/acme/analytics/#/data/databases/PURINA/schemas/TELEMETRY/table/FCT_X"
    )
    monkeypatch.setenv("SNOWFLAKE_ACCOUNT", "xy12345.us-east-2.aws")
    assert translator.get_metadata(MODEL)["snowflake_url"].value.startswith(
        "https://app.snowflake.com/us-east-2.aws/xy12345/"
    )
    monkeypatch.delenv("SNOWFLAKE_ACCOUNT")
    assert "snowflake_url" not in translator.get_metadata(MODEL)


def test_bad_pull_request_id_does_not_break_loading(translator, monkeypatch):
    _set(
        monkeypatch,
        {"DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT": "1", "DAGSTER_CLOUD_PULL_REQUEST_ID": "1; drop"},
    )
    metadata = translator.get_metadata(MODEL)
    assert "dagster/table_name" not in metadata
    assert "DAGSTER_CLOUD_PULL_REQUEST_ID" in metadata["dop/configuration_error"]
    assert translator.get_asset_key(MODEL).path == ["purina", "telemetry", "fct_x"]


def test_group_owners_and_layer_come_from_the_location(translator):
    assert translator.get_group_name(MODEL) == "telemetry"
    assert translator.get_owners(MODEL) == ["team:oss-telemetry"]
    assert translator.get_tags(MODEL)["layer"] == "marts"
    override = {**MODEL, "meta": {"dagster": {"group": "special"}}}
    assert translator.get_group_name(override) == "special"
    assert DopDbtTranslator(location("reporting")).get_owners(MODEL) == ["team:reporting"]


def test_description_comes_from_dbt_docs(translator):
    assert translator.get_description(MODEL) == "A fact."
    undocumented = {**MODEL, "description": "", "raw_code": "select 1 as id"}
    assert "select 1 as id" in translator.get_description(undocumented)
