"""Run-failure alerts: a real failed run on a real local instance, the sensor evaluated
for it, its message posted through the real slack_sdk client to the local stand-in."""

import importlib

import dagster as dg
import pytest
from slack_standin import BOT_TOKEN, SlackStandIn, rate_limited

from dop_shared.alerts import run_failure_alerts, run_url
from dop_shared.locations import LOCATIONS
from dop_shared.slack import DopSlackResource, SlackCallError


@dg.asset
def breaks() -> None:
    raise ValueError("the source answered 503\nand a second line nobody needs in Slack")


@pytest.fixture
def failed_run():
    """A run that failed in step `breaks`, and its instance."""
    with dg.instance_for_test() as instance:
        result = dg.materialize([breaks], instance=instance, raise_on_error=False)
        assert not result.success
        yield instance, result


def evaluate(sensor, instance, result, slack: DopSlackResource):
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        resources={"slack": slack},
    ).for_run_failure()
    return sensor(context)


def test_a_failed_run_is_posted_to_the_team_channel(failed_run, monkeypatch):
    instance, result = failed_run
    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")
    monkeypatch.setenv("DAGSTER_CLOUD_URL", "https://acme.dagster.cloud")
    sensor = run_failure_alerts("telemetry")
    with SlackStandIn(channels={"oss-telemetry-alerts": True}) as slack:
        evaluate(sensor, instance, result, DopSlackResource(token=BOT_TOKEN, base_url=slack.url))
    [message] = slack.messages.values()
    assert message.channel == slack.channel_ids["oss-telemetry-alerts"]
    posted = message.text + str(message.blocks)
    assert "telemetry" in posted and "__ephemeral_asset_job__" in posted
    assert result.run_id in posted
    assert "`breaks`" in posted
    assert "ValueError: the source answered 503" in posted
    assert "second line" not in posted
    assert f"https://acme.dagster.cloud/prod/runs/{result.run_id}" in posted


def test_a_refused_alert_fails_the_sensor_saying_what_to_fix(failed_run):
    instance, result = failed_run
    sensor = run_failure_alerts("reporting")
    with SlackStandIn(channels={"reporting-alerts": False}) as slack:
        with pytest.raises(SlackCallError, match="#reporting-alerts.*invite it") as raised:
            evaluate(
                sensor, instance, result, DopSlackResource(token=BOT_TOKEN, base_url=slack.url)
            )
    assert BOT_TOKEN not in str(raised.value)


def test_rate_limited_alert_is_posted_once(failed_run):
    instance, result = failed_run
    sensor = run_failure_alerts("cloud_usage")
    with SlackStandIn(channels={"cloud-usage-alerts": True}) as slack:
        slack.script("chat.postMessage", rate_limited(0))
        evaluate(sensor, instance, result, DopSlackResource(token=BOT_TOKEN, base_url=slack.url))
    assert len(slack.calls("chat.postMessage")) == 2 and len(slack.messages) == 1


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({}, "http://127.0.0.1:3000/runs/r1"),
        (
            {"DAGSTER_UI_URL": "http://dagster.internal:8080/"},
            "http://dagster.internal:8080/runs/r1",
        ),
        (
            {"DAGSTER_CLOUD_DEPLOYMENT_NAME": "prod", "DAGSTER_CLOUD_ORGANIZATION": "acme"},
            "https://acme.dagster.cloud/prod/runs/r1",
        ),
        # a deployment without a known organization URL: the configured UI
        ({"DAGSTER_CLOUD_DEPLOYMENT_NAME": "prod"}, "http://127.0.0.1:3000/runs/r1"),
    ],
)
def test_run_links(env, url):
    assert run_url("r1", env) == url


def test_every_location_has_its_alert_sensor_stopped_outside_production(dbt_manifest):
    for spec in LOCATIONS:
        defs = importlib.import_module(f"dop_{spec.name}.definitions").defs()
        sensor = defs.get_sensor_def(f"{spec.name}_slack_on_run_failure")
        assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
        assert spec.slack_channel.startswith("#")
