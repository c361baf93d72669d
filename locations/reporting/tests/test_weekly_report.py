"""The weekly report asset, through the real slack_sdk client against the local stand-in.

Each test builds the mart table itself (rows for a few weeks), so it does not
depend on the dbt model; the warehouse is the test's own DuckDB files.
"""

import datetime as dt
import logging

import dagster as dg
import pytest
from slack_standin import BOT_TOKEN, SlackStandIn, rate_limited

from dop_reporting.weekly_report import weekly_platform_health_report
from dop_reporting.weekly_report.asset import MART
from dop_reporting.weekly_report.messages import MESSAGES, MessageLog, PostedMessage
from dop_shared.slack import DopSlackResource, slack_resources
from dop_shared.warehouse import DuckDBWarehouse

WEEK = "2025-06-02"
PREVIOUS = dt.date(2025, 5, 26)

COLUMNS = {
    "week_start": "DATE",
    "oss_weekly_active_instances": "BIGINT",
    "oss_weekly_active_users": "BIGINT",
    "oss_newest_version_share": "DOUBLE",
    "pypi_downloads": "BIGINT",
    "cloud_active_organizations": "BIGINT",
    "cloud_runs": "BIGINT",
    "cloud_failed_runs": "BIGINT",
    "cloud_run_failure_rate": "DOUBLE",
    "slack_weekly_active_members": "BIGINT",
    "slack_posting_members": "BIGINT",
    "slack_new_members": "BIGINT",
    "slack_messages_posted": "BIGINT",
}


def week_row(week: dt.date, scale: float = 1.0, **overrides) -> dict:
    row = {
        "week_start": week,
        "oss_weekly_active_instances": int(1000 * scale),
        "oss_weekly_active_users": int(1500 * scale),
        "oss_newest_version_share": 0.4 * scale,
        "pypi_downloads": int(200_000 * scale),
        "cloud_active_organizations": int(80 * scale),
        "cloud_runs": int(50_000 * scale),
        "cloud_failed_runs": int(900 * scale),
        "cloud_run_failure_rate": 0.018 * scale,
        "slack_weekly_active_members": int(2400 * scale),
        "slack_posting_members": int(300 * scale),
        "slack_new_members": int(120 * scale),
        "slack_messages_posted": int(3100 * scale),
    }
    return {**row, **overrides}


def write_mart(rows: list[dict]) -> None:
    physical = MART.model_physical()
    with DuckDBWarehouse().connect() as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {physical.rsplit('.', 1)[0]}")
        columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
        conn.execute(f"CREATE OR REPLACE TABLE {physical} ({columns})")
        slots = ", ".join(["?"] * len(COLUMNS))
        conn.executemany(
            f"INSERT INTO {physical} VALUES ({slots})", [[r[c] for c in COLUMNS] for r in rows]
        )


@pytest.fixture
def prod(monkeypatch):
    """Production: requested before `mart`, so the mart is written where PROD reads."""
    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")


@pytest.fixture
def mart(data_dir):
    """Three weeks of the mart, the report's week 10% up on the one before."""
    week = dt.date.fromisoformat(WEEK)
    write_mart(
        [
            week_row(PREVIOUS - dt.timedelta(days=7), 0.5),
            week_row(PREVIOUS),
            week_row(week, 1.1, slack_new_members=None),
        ]
    )
    return data_dir


def run(slack: DopSlackResource, raise_on_error=True, instance=None, **config):
    return dg.materialize(
        [weekly_platform_health_report],
        instance=instance,
        partition_key=WEEK,
        resources={"warehouse": DuckDBWarehouse(), "slack": slack},
        run_config={"ops": {"purina__reporting__weekly_platform_health_report": {"config": config}}}
        if config
        else None,
        raise_on_error=raise_on_error,
    )


def run_logs(instance: dg.DagsterInstance, result) -> str:
    """Every entry of the run's event log, user messages included, as text."""
    return "\n".join(
        f"{entry.user_message} {entry.dagster_event}" for entry in instance.all_logs(result.run_id)
    )


def report_metadata(result) -> dict:
    [materialization] = result.asset_materializations_for_node(
        "purina__reporting__weekly_platform_health_report"
    )
    return {key: value.value for key, value in materialization.metadata.items()}


def test_outside_production_it_is_a_dry_run_needing_no_token(mart, monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    instance = dg.DagsterInstance.ephemeral()
    with SlackStandIn() as slack:
        result = run(slack_resources()["slack"], instance=instance)
    assert slack.requests == []
    metadata = report_metadata(result)
    assert metadata["slack/action"] == "dry run"
    assert "| OSS active instances | 1,100 | 1,000 | +10.0% |" in metadata["report"]
    assert "| Slack new members | n/a | 120 | n/a |" in metadata["report"]
    assert "| Run failure rate | 2.0% | 1.8% | +0.2 pp |" in metadata["report"]
    assert metadata["blocks"]["blocks"][0]["type"] == "header"
    assert "Dry run (not production" in run_logs(instance, result)
    assert "would post to #platform-health" in run_logs(instance, result)
    assert (
        MessageLog(DuckDBWarehouse()).find(dt.date.fromisoformat(WEEK), "#platform-health") is None
    )


def test_forced_by_run_config_it_posts_outside_production(mart):
    with SlackStandIn(channels={"team-test": True}) as slack:
        result = run(
            DopSlackResource(token=BOT_TOKEN, base_url=slack.url),
            post_outside_prod=True,
            channel="#team-test",
        )
    [message] = slack.messages.values()
    assert report_metadata(result)["slack/action"] == "posted"
    assert message.blocks[0]["text"]["text"] == "Platform health, week of Mon 2 Jun 2025"
    assert "OSS active instances 1,100 (+10.0%)" in message.text


def test_in_production_a_rerun_updates_the_posted_message(prod, mart):
    with SlackStandIn() as slack:
        resource = DopSlackResource(token=BOT_TOKEN, base_url=slack.url)
        first = report_metadata(run(resource))
        write_mart([week_row(PREVIOUS), week_row(dt.date.fromisoformat(WEEK), 1.2)])
        second = report_metadata(run(resource))
    assert (first["slack/action"], second["slack/action"]) == ("posted", "updated")
    assert len(slack.calls("chat.postMessage")) == 1 and len(slack.calls("chat.update")) == 1
    [message] = slack.messages.values()
    assert message.ts == first["slack/ts"] == second["slack/ts"]
    assert "OSS active instances 1,200 (+20.0%)" in message.text  # the corrected figures
    rows = DuckDBWarehouse().rows(MESSAGES.physical())
    assert [(r["channel"], r["ts"]) for r in rows] == [(message.channel, message.ts)]
    assert rows[0]["updated_at"] > rows[0]["posted_at"]


def test_a_message_deleted_in_slack_is_posted_again(prod, mart):
    with SlackStandIn() as slack:
        resource = DopSlackResource(token=BOT_TOKEN, base_url=slack.url)
        run(resource)
        slack.messages.clear()
        assert report_metadata(run(resource))["slack/action"] == "posted"
    assert len(slack.messages) == 1
    assert len(DuckDBWarehouse().rows(MESSAGES.physical())) == 1


def test_rate_limited_twice_then_one_message(prod, mart):
    with SlackStandIn() as slack:
        slack.script("chat.postMessage", rate_limited(1), rate_limited(1))
        result = run(DopSlackResource(token=BOT_TOKEN, base_url=slack.url))
    assert report_metadata(result)["slack/action"] == "posted"
    assert len(slack.calls("chat.postMessage")) == 3
    assert len(slack.messages) == 1


def test_a_post_whose_ts_was_never_stored_is_found_and_updated_not_posted_again(prod, mart):
    """A crash between chat.postMessage and storing its ts (the stored row deleted after a
    first run is the same state): the re-run finds the message in the channel by its
    metadata, several pages back, adopts it and updates it. One message in the end."""
    from slack_standin import Message

    with SlackStandIn() as slack:
        resource = DopSlackResource(token=BOT_TOKEN, base_url=slack.url)
        first = report_metadata(run(resource))
        with DuckDBWarehouse().connect() as conn:
            conn.execute(f"DELETE FROM {MESSAGES.physical()}")
        [posted] = slack.messages.values()
        for n in range(250):  # later chatter: the report is on the second page of history
            ts = f"{float(posted.ts) + n + 1:.6f}"
            slack.messages[(posted.channel, ts)] = Message(posted.channel, ts, f"chat {n}", None)
        write_mart([week_row(PREVIOUS), week_row(dt.date.fromisoformat(WEEK), 1.2)])
        second = report_metadata(run(resource))
        reports = [m for m in slack.messages.values() if m.metadata]
    assert (first["slack/action"], second["slack/action"]) == ("posted", "recovered")
    assert len(slack.calls("chat.postMessage")) == 1 and len(slack.calls("chat.update")) == 1
    [message] = reports
    assert message.ts == first["slack/ts"] == second["slack/ts"]
    assert message.metadata == {
        "event_type": "dop_weekly_report",
        "event_payload": {"week_start": WEEK, "report": "weekly_platform_health"},
    }
    assert "OSS active instances 1,200 (+20.0%)" in message.text  # the corrected figures
    history = slack.calls("conversations.history")
    assert len(history) == 3  # first run: one empty page; the re-run: two pages
    assert all(call.params["channel"] == message.channel for call in history)
    assert history[-1].params["include_all_metadata"] in ("1", "true")
    rows = DuckDBWarehouse().rows(MESSAGES.physical())
    assert [(r["channel"], r["ts"]) for r in rows] == [(message.channel, message.ts)]


@pytest.mark.parametrize(
    ("token", "channel", "says", "method"),
    [
        (
            "xoxb-wrong-5555555555-secret",
            "#platform-health",
            "set SLACK_BOT_TOKEN",
            "conversations.list",
        ),
        (BOT_TOKEN, "#private", "not_in_channel", "conversations.history"),
        (BOT_TOKEN, "#gone", "channel_not_found", "chat.postMessage"),
    ],
)
def test_refused_posts_fail_clearly_without_the_token(
    prod, mart, caplog, token, channel, says, method
):
    caplog.set_level(logging.DEBUG)
    instance = dg.DagsterInstance.ephemeral()
    with SlackStandIn(channels={"platform-health": True, "private": False}) as slack:
        result = run(
            DopSlackResource(token=token, base_url=slack.url),
            raise_on_error=False,
            instance=instance,
            channel=channel,
        )
    assert not result.success
    [failure] = result.get_step_failure_events()
    error = failure.event_specific_data.error.to_string()
    assert says in error and method in error
    assert slack.requests[0].token == token
    everything = run_logs(instance, result) + error + caplog.text
    assert token not in everything
    assert slack.messages == {}
    assert DuckDBWarehouse().rows(MESSAGES.physical()) == []


def test_a_missing_week_names_the_week_and_the_upstream_asset(data_dir):
    write_mart([week_row(PREVIOUS)])
    with SlackStandIn() as slack:
        result = run(DopSlackResource(token=BOT_TOKEN, base_url=slack.url), raise_on_error=False)
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "week of 2025-06-02" in error
    assert "purina/reporting/rpt_weekly_platform_health" in error
    assert slack.requests == []


def test_the_message_log_reads_back_from_snowflake(snowflake):
    log = MessageLog(snowflake)
    at = dt.datetime(2025, 6, 9, 8, 0)
    posted = PostedMessage(PREVIOUS, "#platform-health", "C00000001", "1749456000.000100", at, at)
    log.save(posted)
    log.save(PostedMessage(PREVIOUS, "#other", "C00000002", "1749456000.000200", at, at))
    log.save(posted.updated(at + dt.timedelta(hours=1)))
    found = log.find(PREVIOUS, "#platform-health")
    assert (found.channel, found.ts) == ("C00000001", "1749456000.000100")
    assert found.updated_at == at + dt.timedelta(hours=1)
    assert log.find(PREVIOUS, "#other").ts == "1749456000.000200"
    assert log.find(PREVIOUS + dt.timedelta(days=7), "#platform-health") is None
