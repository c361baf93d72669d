"""Conventions of the dbt project, checked on the parsed manifest."""

import json
import re
from collections import defaultdict


def _manifest(path):
    return json.loads(path.read_text())


def test_every_model_has_a_primary_key_tested_unique_and_not_null(dbt_manifest):
    manifest = _manifest(dbt_manifest)
    tests = defaultdict(set)  # (model, column) -> {"unique", "not_null"}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata"):
            kind = node["test_metadata"]["name"]
            if kind in ("unique", "not_null") and node.get("attached_node"):
                tests[(node["attached_node"], node.get("column_name"))].add(kind)
    models = [uid for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"]
    without_key = [
        uid
        for uid in models
        if not any(
            kinds == {"unique", "not_null"} for (model, _), kinds in tests.items() if model == uid
        )
    ]
    assert without_key == []


def test_names_follow_the_layers(dbt_manifest):
    manifest = _manifest(dbt_manifest)
    sources = {n["source_name"] for n in manifest["sources"].values()}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        layer, name = node["fqn"][1], node["name"]
        if layer == "staging":
            match = re.fullmatch(r"stg_(\w+?)__\w+", name)
            assert match and match.group(1) in sources, name
        elif layer == "intermediate":
            assert name.startswith("int_"), name
        else:
            assert layer == "marts" and name.split("_")[0] in ("fct", "dim", "rpt"), name


def test_incremental_models_are_partition_windowed(dbt_manifest):
    """An incremental model must say how it replaces (delete+insert on a key) and read
    only its run's window (in_partition_window / in_whole_weeks_of_window)."""
    manifest = _manifest(dbt_manifest)
    incremental = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"
    ]
    assert len(incremental) >= 8
    for node in incremental:
        assert node["config"]["incremental_strategy"] == "delete+insert", node["name"]
        assert node["config"]["unique_key"], node["name"]
        assert re.search(r"in_partition_window|in_whole_weeks_of_window", node["raw_code"]), node[
            "name"
        ]
