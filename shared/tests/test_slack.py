"""The Slack resource, through the real slack_sdk client against a local stand-in."""

import logging

import dagster as dg
import pytest
from slack_standin import BOT_TOKEN, SlackStandIn, error, http_status, rate_limited

from dop_shared.slack import (
    DopSlackResource,
    SlackCallError,
    SlackConfigError,
    slack_resource,
    slack_resources,
)


def post(resource: DopSlackResource, channel: str = "#platform-health"):
    with resource.explained_errors("chat.postMessage", channel):
        return resource.get_client().chat_postMessage(channel=channel, text="hello")


def test_rate_limited_twice_then_posted_exactly_once():
    with SlackStandIn() as slack:
        slack.script("chat.postMessage", rate_limited(retry_after=1), rate_limited(retry_after=1))
        answer = post(DopSlackResource(token=BOT_TOKEN, base_url=slack.url))
        attempts = slack.calls("chat.postMessage")
    assert answer["ok"]
    assert len(attempts) == 3
    assert len(slack.messages) == 1
    # each retry waited at least the Retry-After Slack asked for
    assert all(b.at - a.at >= 1 for a, b in zip(attempts, attempts[1:], strict=False))


def test_server_errors_are_retried():
    with SlackStandIn() as slack:
        slack.script("chat.postMessage", http_status(503), http_status(500))
        assert post(DopSlackResource(token=BOT_TOKEN, base_url=slack.url))["ok"]
    assert len(slack.requests) == 3 and len(slack.messages) == 1


def test_rate_limited_beyond_the_retries_says_so():
    with SlackStandIn() as slack:
        slack.script("chat.postMessage", rate_limited(0), rate_limited(0))
        with pytest.raises(SlackCallError, match="rate limiting"):
            post(DopSlackResource(token=BOT_TOKEN, base_url=slack.url, rate_limit_retries=1))
    assert slack.messages == {}


@pytest.mark.parametrize(
    ("token", "channel", "code", "fix"),
    [
        (
            "xoxb-revoked-9876543210-secret",
            "#platform-health",
            "invalid_auth",
            "set SLACK_BOT_TOKEN",
        ),
        (BOT_TOKEN, "#private", "not_in_channel", "invite it there"),
        (BOT_TOKEN, "#no-such-channel", "channel_not_found", "check the channel name"),
    ],
)
def test_refusals_say_what_to_fix_and_never_show_the_token(token, channel, code, fix, caplog):
    caplog.set_level(logging.DEBUG)  # slack_sdk's own debug logging included
    with SlackStandIn(channels={"platform-health": True, "private": False}) as slack:
        with pytest.raises(SlackCallError) as raised:
            post(DopSlackResource(token=token, base_url=slack.url), channel)
    assert raised.value.code == code
    message = str(raised.value)
    assert code in message and fix in message and "chat.postMessage" in message
    assert slack.requests[0].token == token  # it was sent, and only there
    assert token not in message and token not in repr(raised.value)
    assert token not in caplog.text
    assert slack.messages == {}


def test_without_a_token_a_call_fails_naming_the_variable(monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    resource = slack_resource("SLACK_BOT_TOKEN")
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN is not set"):
        resource.get_client()


def test_in_production_a_missing_token_fails_the_run_naming_the_variable(monkeypatch):
    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)

    @dg.asset
    def uses_slack(slack: DopSlackResource) -> None:
        slack.get_client()

    with pytest.raises(dg.DagsterInvalidConfigError, match="SLACK_BOT_TOKEN"):
        dg.materialize([uses_slack], resources=slack_resources())


def test_token_and_url_come_from_the_environment_in_a_run(monkeypatch):
    with SlackStandIn() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("SLACK_API_URL", slack.url)
        monkeypatch.delenv("SLACK_ADMIN_TOKEN", raising=False)

        @dg.asset
        def checks_auth(slack: DopSlackResource) -> dg.MaterializeResult:
            return dg.MaterializeResult(metadata={"team": slack.get_client().auth_test()["team"]})

        result = dg.materialize([checks_auth], resources=slack_resources())
    assert result.success
    assert result.asset_materializations_for_node("checks_auth")[0].metadata["team"].value
    assert [r.headers["Authorization"] for r in slack.requests] == [f"Bearer {BOT_TOKEN}"]
    assert BOT_TOKEN not in str(result.all_events)


def test_unknown_refusals_are_named_too():
    with SlackStandIn() as slack:
        slack.script("chat.postMessage", error("msg_too_long"))
        with pytest.raises(SlackCallError, match="msg_too_long"):
            post(DopSlackResource(token=BOT_TOKEN, base_url=slack.url))


def test_client_has_the_configured_url_and_the_three_retry_handlers():
    client = DopSlackResource(token=BOT_TOKEN, base_url="http://127.0.0.1:1/api").get_client()
    assert client.base_url == "http://127.0.0.1:1/api/"
    names = {type(h).__name__ for h in client.retry_handlers}
    assert names == {
        "RateLimitErrorRetryHandler",
        "ServerErrorRetryHandler",
        "ConnectionErrorRetryHandler",
    }
