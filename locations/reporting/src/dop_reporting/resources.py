"""The reporting location's source resources, chosen by environment in one place."""

import dagster as dg

from dop_reporting.slack.sources import LocalSlackAnalyticsFiles, SlackApiAnalyticsFiles
from dop_shared import environment
from dop_shared.slack import ADMIN_TOKEN_VARIABLE, slack_resource


def source_resources() -> dict[str, dg.ConfigurableResource]:
    """Generated files on a laptop; Slack's analytics API in branches and production."""
    if environment.uses_local_sources():
        return {"slack_files": LocalSlackAnalyticsFiles()}
    return {"slack_files": SlackApiAnalyticsFiles(slack=slack_resource(ADMIN_TOKEN_VARIABLE))}
