"""The telemetry location on its own."""

from dop_telemetry.definitions import defs


def test_location_loads_alone(dbt_manifest):
    loaded = defs()
    keys = {k.to_user_string() for a in loaded.assets for k in a.keys}
    assert {
        "purina/prod_telemetry/oss_telemetry_events_raw",
        "purina/oss_analytics/dagster_pypi_downloads",
        "purina/staging/stg_prod_telemetry__events",
        "purina/telemetry/fct_oss_active_instances_daily",
    } <= keys
    assert not any(k.startswith(("purina/reporting/", "purina/cloud_usage/")) for k in keys)
    assert {s.name for s in loaded.schedules} == {
        "telemetry_daily_events_schedule",
        "telemetry_weekly_pypi_downloads_schedule",
    }
