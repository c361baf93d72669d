"""B3: every dbt model has exactly one owning location, every asset key one definer,
and every upstream key resolves to an asset some location defines."""

import json

from helpers import DBT_UNIQUE_ID, all_definitions, executable_specs


def test_ownership_is_total_and_disjoint(dbt_manifest):
    manifest = json.loads(dbt_manifest.read_text())
    models = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    owners: dict[str, list[str]] = {uid: [] for uid in models}
    for name, defs in all_definitions().items():
        for spec in executable_specs(defs):
            uid = spec.metadata.get(DBT_UNIQUE_ID)
            if uid in owners:
                owners[uid].append(name)
    orphans = sorted(uid for uid, names in owners.items() if not names)
    shared = {uid: names for uid, names in owners.items() if len(names) > 1}
    assert not orphans, f"models no location builds: {orphans}"
    assert not shared, f"models built by several locations: {shared}"
    # every location owns staging models and at least one mart
    layers = {(names[0], manifest["nodes"][uid]["fqn"][1]) for uid, names in owners.items()}
    for name in ("telemetry", "cloud_usage", "reporting"):
        assert {(name, "staging"), (name, "marts")} <= layers


def test_no_asset_key_or_check_is_defined_twice():
    seen: dict[object, str] = {}
    for name, defs in all_definitions().items():
        keys = [spec.key for spec in executable_specs(defs)]
        checks = [
            key for a in defs.assets or [] if hasattr(a, "check_keys") for key in a.check_keys
        ]
        for key in keys + checks:
            assert key not in seen, f"{key} defined by {seen[key]} and {name}"
            seen[key] = name


def test_cross_location_lineage_resolves_to_the_owners(capsys):
    definitions = all_definitions()
    owner = {spec.key: name for name, d in definitions.items() for spec in executable_specs(d)}
    edges = set()
    for name, defs in definitions.items():
        for spec in executable_specs(defs):
            for dep in spec.deps:
                assert dep.asset_key in owner, (
                    f"{spec.key} depends on {dep.asset_key}, which no location defines"
                )
                if owner[dep.asset_key] != name:
                    edges.add(
                        (
                            owner[dep.asset_key],
                            dep.asset_key.to_user_string(),
                            name,
                            spec.key.to_user_string(),
                        )
                    )
    with capsys.disabled():
        print("\ncross-location edges:")
        for edge in sorted(edges):
            print("  {}:{} -> {}:{}".format(*edge))
    report = "purina/reporting/rpt_weekly_platform_health"
    assert (
        "telemetry",
        "purina/telemetry/fct_oss_active_instances_weekly",
        "reporting",
        report,
    ) in edges
    assert (
        "cloud_usage",
        "purina/cloud_usage/fct_cloud_organization_usage_daily",
        "reporting",
        report,
    ) in edges
    assert {e[2] for e in edges} == {"reporting"}


def test_dbt_sources_are_keyed_as_their_ingestion_assets():
    definitions = all_definitions()
    owner = {
        spec.key.to_user_string(): name
        for name, d in definitions.items()
        for spec in executable_specs(d)
    }
    assert owner["purina/prod_telemetry/oss_telemetry_events_raw"] == "telemetry"
    assert owner["purina/oss_analytics/dagster_pypi_downloads"] == "telemetry"
    assert owner["stitch/postgres_etl_high_freq/runs"] == "cloud_usage"
    assert owner["stitch/postgres_etl_low_freq/organizations"] == "cloud_usage"
    assert owner["purina/slack/slack_member_analytics"] == "reporting"
