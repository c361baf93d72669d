"""The reporting location's source resources, chosen by environment in one place."""

import dagster as dg

from dop_reporting.slack.privacy import email_hashing_resource
from dop_reporting.slack.sources import LocalSlackAnalyticsFiles, SlackApiAnalyticsFiles
from dop_shared import environment
from dop_shared.slack import ADMIN_TOKEN_VARIABLE, slack_resource


def source_resources() -> dict[str, dg.ConfigurableResource]:
    """Generated files on a laptop; Slack's analytics API in branches and production. The
    e-mail hash salt from DOP_EMAIL_HASH_SALT (required outside LOCAL)."""
    hashing = {"email_hashing": email_hashing_resource()}
    if environment.uses_local_sources():
        return {"slack_files": LocalSlackAnalyticsFiles(), **hashing}
    return {
        "slack_files": SlackApiAnalyticsFiles(slack=slack_resource(ADMIN_TOKEN_VARIABLE)),
        **hashing,
    }
