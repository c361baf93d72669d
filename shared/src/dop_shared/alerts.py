"""A run-failure sensor per location that tells its team in Slack.

Built here rather than with dagster-slack's `make_slack_on_run_failure_sensor`,
which takes a plain token string and no API URL: this one posts through the
location's `slack` resource (token from a dg.EnvVar, retries, stand-in URL in
tests). Like every sensor, it runs only in production unless started by hand.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import dagster as dg

from dop_shared.automation import default_status
from dop_shared.locations import LocationSpec, location
from dop_shared.slack import DopSlackResource

LOCAL_UI_URL = "http://127.0.0.1:3000"


def run_url(run_id: str, env: Mapping[str, str] | None = None) -> str:
    """The run's page: in Dagster+ under the organization's URL and the deployment,
    else under DAGSTER_UI_URL (default the local UI)."""
    values = os.environ if env is None else env
    deployment = values.get("DAGSTER_CLOUD_DEPLOYMENT_NAME", "").strip()
    organization = values.get("DAGSTER_CLOUD_ORGANIZATION", "").strip()
    org_url = values.get("DAGSTER_CLOUD_URL", "").strip() or (
        f"https://{organization}.dagster.cloud" if organization else ""
    )
    if deployment and org_url:
        base = f"{org_url.rstrip('/')}/{deployment}"
    else:
        base = (values.get("DAGSTER_UI_URL", "").strip() or LOCAL_UI_URL).rstrip("/")
    return f"{base}/runs/{run_id}"


def _first_line(error: dg.SerializableErrorInfo | None) -> str | None:
    """The error's first line, from the user's exception rather than Dagster's wrapper."""
    if error is None:
        return None
    if error.cls_name == "DagsterExecutionStepExecutionError" and error.cause:
        error = error.cause
    lines = error.message.strip().splitlines()
    return lines[0] if lines else error.cls_name


def failure_message(spec: LocationSpec, context: dg.RunFailureSensorContext) -> dict:
    """chat.postMessage arguments: text and blocks naming location, job, run, steps,
    error and link."""
    run = context.dagster_run
    failures = context.get_step_failure_events()
    steps = ", ".join(f"`{e.step_key}`" for e in failures) or "none (the run failed to start)"
    error = (
        _first_line(failures[0].event_specific_data.error)
        if failures
        else (context.failure_event.message or "").strip().splitlines()[0]
    )
    url = run_url(run.run_id)
    button = {"type": "button", "text": {"type": "plain_text", "text": "Open run"}, "url": url}
    text = f"Run failed in {spec.name}: job {run.job_name}, run {run.run_id[:8]}: {error}"
    details = (
        f":red_circle: *Run failed* in `{spec.name}` (team {spec.team})\n"
        f"*Job* `{run.job_name}` · *Run* <{url}|{run.run_id}>\n"
        f"*Failed steps* {steps}\n*Error* `{error}`"
    )
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": details}},
            {"type": "actions", "elements": [button]},
        ],
    }


def run_failure_alerts(location_name: str) -> dg.SensorDefinition:
    """The sensor posting the location's failed runs to its team's channel."""
    spec = location(location_name)

    @dg.run_failure_sensor(
        name=f"{spec.name}_slack_on_run_failure",
        default_status=dg.DefaultSensorStatus(default_status().value),
        description=f"Posts each failed run of {spec.name} to {spec.slack_channel}.",
    )
    def _alert(context: dg.RunFailureSensorContext, slack: DopSlackResource) -> None:
        with slack.explained_errors("chat.postMessage", spec.slack_channel):
            slack.get_client().chat_postMessage(
                channel=spec.slack_channel, unfurl_links=False, **failure_message(spec, context)
            )

    return _alert
