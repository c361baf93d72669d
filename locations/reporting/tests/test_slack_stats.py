"""Slack member stats, loaded from the generated file into the PURINA DuckDB file."""

import dagster as dg

from dop_reporting.definitions import defs
from dop_reporting.slack_stats import MEMBER_STATS, slack_member_stats
from dop_shared.warehouse import DuckDBWarehouse


def test_stats_load_one_row_per_day(data_dir):
    result = dg.materialize([slack_member_stats], resources={"warehouse": DuckDBWarehouse()})
    assert result.success
    lines = (data_dir / "sources/slack/member_stats.csv").read_text().strip().splitlines()
    assert DuckDBWarehouse().row_count(MEMBER_STATS) == len(lines) - 1


def test_a_file_with_a_bad_value_fails_naming_the_file(data_dir, tmp_path, monkeypatch):
    folder = tmp_path / "other" / "sources" / "slack"
    folder.mkdir(parents=True)
    source = (data_dir / "sources/slack/member_stats.csv").read_text().splitlines()
    (folder / "member_stats.csv").write_text(
        "\n".join([source[0], "not-a-date" + source[1][10:]]) + "\n"
    )
    monkeypatch.setenv("DOP_DATA_DIR", str(tmp_path / "other"))
    result = dg.materialize(
        [slack_member_stats], resources={"warehouse": DuckDBWarehouse()}, raise_on_error=False
    )
    assert not result.success
    assert (
        "member_stats.csv"
        in result.get_step_failure_events()[0].event_specific_data.error.to_string()
    )


def test_location_loads_alone_and_consumes_the_other_two(dbt_manifest):
    loaded = defs()
    specs = {s.key.to_user_string(): s for a in loaded.assets for s in a.specs}
    report = specs["purina/reporting/rpt_weekly_platform_health"]
    upstream = {d.asset_key.to_user_string() for d in report.deps}
    assert "purina/telemetry/fct_oss_active_instances_weekly" in upstream
    assert "purina/cloud_usage/fct_cloud_organization_usage_daily" in upstream
    assert report.owners == ["team:reporting"]
