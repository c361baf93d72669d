"""Slack's own example of a member analytics file (fixtures/README.md) through the raw
asset and stg_slack__member_analytics: every value arrives, the addresses do not."""

import datetime as dt
import gzip
import json
from pathlib import Path

from daily_runs import materialize_days
from dbt_runs import build_models

from dop_reporting.slack.member_analytics import RAW, slack_member_analytics
from dop_reporting.slack.privacy import LOCAL_SALT, EmailHashing, email_hash
from dop_reporting.slack.sources import LocalSlackAnalyticsFiles
from dop_shared.warehouse import DuckDBWarehouse

FIXTURE = Path(__file__).parent / "fixtures/slack_member_analytics_docs.jsonl"
DAY = dt.date(2026, 2, 2)  # the partition the file is loaded as; its lines say 2020-10-05
EPOCH = dt.datetime(1970, 1, 1)

# Slack's field -> (stg column, the value expected there from Slack's)
STG = {
    "enterprise_id": ("enterprise_id", lambda v: v),
    "date": ("activity_date", dt.date.fromisoformat),
    "user_id": ("user_id", lambda v: v),
    "email_address": ("email_hash", lambda v: email_hash(v, LOCAL_SALT)),
    **{
        flag: (flag, lambda v: v)
        for flag in (
            "is_guest",
            "is_billable_seat",
            "is_active",
            "is_active_ios",
            "is_active_android",
            "is_active_desktop",
            "is_active_apps",
            "is_active_workflows",
            "is_active_slack_connect",
        )
    },
    "reactions_added_count": ("reactions_added", lambda v: v),
    "messages_posted_count": ("messages_posted", lambda v: v),
    "channel_messages_posted_count": ("channel_messages_posted", lambda v: v),
    "files_added_count": ("files_added", lambda v: v),
    "total_calls_count": ("calls", lambda v: v),
    "slack_calls_count": ("slack_calls", lambda v: v),
    "slack_huddles_count": ("huddles", lambda v: v),
    "search_count": ("searches", lambda v: v),
    "date_claimed": ("claimed_at", lambda v: EPOCH + dt.timedelta(seconds=v)),
}


def _query(sql: str) -> list[dict]:
    with DuckDBWarehouse().connect(read_only=True) as conn:
        cursor = conn.execute(sql)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_slacks_documented_example_loads_whole_and_without_addresses(
    data_dir, dbt_manifest, tmp_path, monkeypatch
):
    monkeypatch.setenv("DOP_DATA_WINDOW_DAYS", "all")  # the example is from 2020
    lines = [json.loads(line) for line in FIXTURE.read_text().splitlines()]
    folder = tmp_path / "slack"
    folder.mkdir()
    (folder / f"{DAY}.json.gz").write_bytes(gzip.compress(FIXTURE.read_bytes()))
    resources = {
        "warehouse": DuckDBWarehouse(),
        "slack_files": LocalSlackAnalyticsFiles(root=str(folder)),
        "email_hashing": EmailHashing(),
    }
    result = materialize_days([slack_member_analytics], resources, DAY)
    assert result.success
    checks = {c.asset_check_key.name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {"quarantine_rate": True, "known_fields": True}  # every field known

    raw = {r["user_id"]: r for r in _query(f"select * from {RAW.physical()}")}
    assert len(raw) == len(lines)
    for line in lines:
        row = raw[line["user_id"]]
        assert row["extra_fields"] is None
        assert "email_address" not in row
        assert {k: v for k, v in line.items() if k != "email_address"} == {
            k: (row[k].isoformat() if k == "date" else row[k]) for k in line if k != "email_address"
        }

    build = build_models("reporting", "stg_slack__member_analytics")
    assert build.success
    staged = {
        r["user_id"]: r for r in _query("select * from sandbox.staging.stg_slack__member_analytics")
    }
    assert len(staged) == len(lines)
    for line in lines:
        assert set(line) == set(STG)  # a field of Slack's the mapping misses fails here
        row = staged[line["user_id"]]
        for field, value in line.items():
            column, expected = STG[field]
            assert row[column] == expected(value), field
    assert all("@" not in str(value) for row in staged.values() for value in row.values())
