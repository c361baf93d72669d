"""Rendering the weekly report from rows with gaps: NULL figures, no previous week."""

import datetime as dt

from dop_reporting.weekly_report.render import METRICS, render

WEEK = dt.date(2025, 6, 2)


def test_without_a_previous_week_every_change_is_missing():
    report = render(WEEK, {"week_start": WEEK, "pypi_downloads": 1234}, None)
    assert {line.change for line in report.lines} == {"n/a"}
    assert "no previous week" in str(report.blocks()[-1])
    assert "PyPI downloads 1,234 (n/a)" in report.text()


def test_a_row_of_nulls_still_renders_every_metric():
    report = render(WEEK, {"week_start": WEEK}, {"week_start": WEEK - dt.timedelta(days=7)})
    assert [line.label for line in report.lines] == [m.label for m in METRICS]
    assert {line.value for line in report.lines} == {"n/a"}
    assert report.blocks()[0]["text"]["text"] == "Platform health, week of Mon 2 Jun 2025"


def test_changes_from_zero_and_of_shares():
    row = {"cloud_runs": 10, "cloud_failed_runs": 0, "cloud_run_failure_rate": 0.1}
    before = {"cloud_runs": 0, "cloud_failed_runs": 0, "cloud_run_failure_rate": 0.25}
    changes = {line.label: line.change for line in render(WEEK, row, before).lines}
    assert changes["Dagster+ runs"] == "new"
    assert changes["Dagster+ failed runs"] == "±0"
    assert changes["Run failure rate"] == "-15.0 pp"


def test_the_message_stays_within_slack_limits():
    report = render(WEEK, {m.column: 10**9 for m in METRICS}, None)
    section_texts = [b["text"]["text"] for b in report.blocks() if "text" in b]
    assert all(len(text) <= 3000 for text in section_texts)
    assert len(report.blocks()[1]["fields"]) <= 10
