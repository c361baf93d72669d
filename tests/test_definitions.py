"""Each location loads alone and all three together, through Dagster's own loaders."""

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from helpers import LOCATION_NAMES, all_definitions, executable_specs

from dop_devtools.local_run import load_location
from dop_shared.definitions import NOT_A_TABLE

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", LOCATION_NAMES)
def test_each_location_loads_alone(name, dbt_manifest):
    defs = load_location(name)
    dg.Definitions.validate_loadable(defs)
    specs = executable_specs(defs)
    assert specs
    assert all(spec.owners for spec in specs)
    assert all(spec.description for spec in specs)
    tables = [spec for spec in specs if not spec.metadata.get(NOT_A_TABLE)]  # not a Slack post
    assert all("dagster/table_name" in spec.metadata for spec in tables)
    assert all({"duckdb"} <= set(spec.kinds) for spec in tables)
    assert defs.schedules and defs.sensors


def test_the_three_locations_load_together_as_one_graph(dbt_manifest):
    """One Definitions with every asset of the three: a duplicate key or a dependency
    cycle across locations would fail here."""
    parts = list(all_definitions().values())
    resources = {}
    for defs in parts:
        for key, value in (defs.resources or {}).items():
            resources.setdefault(key, value)
    together = dg.Definitions(
        assets=[a for defs in parts for a in defs.assets],
        resources=resources,
    )
    dg.Definitions.validate_loadable(together)
    graph = together.resolve_asset_graph()
    report = dg.AssetKey(["purina", "reporting", "rpt_weekly_platform_health"])
    upstream = graph.get(report).parent_keys
    assert dg.AssetKey(["purina", "telemetry", "fct_oss_active_instances_weekly"]) in upstream


def test_dagster_cli_validates_the_workspace(dbt_manifest):
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in LOCATION_NAMES:
        assert f"Validation successful for code location {name}" in result.stdout + result.stderr


def test_dbt_tests_are_asset_checks(dbt_manifest):
    defs = load_location("telemetry")
    check_keys = {key for a in defs.assets if hasattr(a, "check_keys") for key in a.check_keys}
    names = {(k.asset_key.to_user_string(), k.name) for k in check_keys}
    assert (
        "purina/staging/stg_prod_telemetry__events",
        "unique_stg_prod_telemetry__events_event_id",
    ) in names


def test_dbt_source_tests_are_checks_of_the_raw_asset_in_the_location_that_writes_it(
    dbt_manifest,
):
    """Every test dbt runs on a source is a check of the ingestion asset that writes the
    source table, defined in that asset's location (not an observation logged aside)."""
    manifest = json.loads(dbt_manifest.read_text())
    source_tests = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and any(p.startswith("source.") for p in node["depends_on"]["nodes"])
    }
    assert len(source_tests) > 10
    checked = {}
    for name, defs in all_definitions().items():
        graph = defs.get_repository_def().asset_graph
        executable = {node.key for node in graph.asset_nodes if node.is_executable}
        for key in graph.asset_check_keys:
            if key.name in source_tests:
                assert key.asset_key in executable, (name, key)  # the raw asset is here
                checked[key.name] = name
    assert set(checked) == source_tests


# dagster-dbt's own objects, which the webapp leaves out of the metadata it shows
HIDDEN_BY_THE_UI = {"dagster_dbt/manifest", "dagster_dbt/dagster_dbt_translator"}


def test_everything_a_person_opens_in_the_ui_says_what_it_is(dbt_manifest):
    """Every asset, check, job, schedule and sensor has a description, and no metadata value
    is an object the UI can only show as "(unserializable)"."""
    from dagster._core.remote_representation.external_data import RepositorySnap

    missing, unserializable = [], []
    for name, defs in all_definitions().items():
        repo = defs.get_repository_def()
        graph = repo.asset_graph
        named = [
            *(("job", job) for job in repo.get_all_jobs() if not job.name.startswith("__")),
            *(("schedule", s) for s in repo.schedule_defs),
            *(("sensor", s) for s in repo.sensor_defs),
            *(("check", graph.get_check_spec(key)) for key in graph.asset_check_keys),
        ]
        missing += [f"{name}: {kind} {d.name}" for kind, d in named if not d.description]
        missing += [
            f"{name}: asset {node.key.to_user_string()}"
            for node in graph.asset_nodes
            if node.is_executable and not node.description
        ]
        # what the UI receives: the location's snapshot, with its metadata as serialized
        for node in RepositorySnap.from_def(repo).asset_nodes:
            unserializable += [
                f"{node.asset_key.to_user_string()}: {key}"
                for key, value in node.metadata.items()
                if key not in HIDDEN_BY_THE_UI
                and "(unserializable)" in str(getattr(value, "value", ""))
            ]
    assert missing == []
    assert unserializable == []
