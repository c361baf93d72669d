"""Each location loads alone and all three together, through Dagster's own loaders."""

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
