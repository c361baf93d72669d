"""Slack for every location: dagster-slack's resource, made fit for production.

The stock `SlackResource` builds a bare `WebClient`: Slack's own URL only (so no
local stand-in can be used) and no retries beyond one connection error. This one
adds a configurable API base URL and slack_sdk's own retry handlers (Retry-After
on HTTP 429, connection errors, HTTP 500/503), and turns Slack's error codes into
errors that say what to fix. The token is only ever a config value resolved from
a `dg.EnvVar`; no message here contains it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import dagster as dg
from dagster_slack import SlackResource
from pydantic import Field
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from dop_shared import environment

SLACK_API_URL = "https://slack.com/api/"
API_URL_VARIABLE = "SLACK_API_URL"
BOT_TOKEN_VARIABLE = "SLACK_BOT_TOKEN"
ADMIN_TOKEN_VARIABLE = "SLACK_ADMIN_TOKEN"


class SlackConfigError(RuntimeError):
    """Slack is not configured for what a run asked of it; the message says what to set."""


class SlackCallError(RuntimeError):
    """Slack refused a call; the message names the method, Slack's error code and the fix."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _fixes(token_variable: str, channel: str | None) -> dict[str, str]:
    where = f"channel {channel!r}" if channel else "the channel"
    bad_token = (
        f"Slack rejected the token in {token_variable}: set {token_variable} to a valid, "
        "current token of the workspace (a revoked or mistyped token gives this)."
    )
    return {
        "invalid_auth": bad_token,
        "not_authed": f"No token was sent: set {token_variable}.",
        "token_revoked": bad_token,
        "token_expired": bad_token,
        "account_inactive": bad_token,
        "not_in_channel": (
            f"The app is not a member of {where}: invite it there (/invite @<app name>) "
            "or configure a channel it belongs to."
        ),
        "channel_not_found": (
            f"Slack knows no {where} visible to this token: check the channel name or ID "
            "(a private channel must have the app invited)."
        ),
        "is_archived": f"{where} is archived: unarchive it or configure another channel.",
        "missing_scope": (
            f"The token in {token_variable} lacks a scope this call needs: add it to the "
            "Slack app, reinstall the app and update the token."
        ),
        "ratelimited": "Slack kept rate limiting after every retry: try again later.",
    }


class DopSlackResource(SlackResource):
    """dagster-slack's SlackResource with a base URL and slack_sdk's retry handlers.

    `token` comes from a dg.EnvVar (see `slack_resource`); `token_variable` is only
    that variable's name, so errors can say which one to fix.
    """

    token: str | None = Field(  # type: ignore[assignment]
        default=None, description="Slack token; always from a dg.EnvVar, never inline."
    )
    token_variable: str = Field(
        default=BOT_TOKEN_VARIABLE, description="Name of the variable holding the token."
    )
    base_url: str = Field(default=SLACK_API_URL, description="Slack Web API base URL.")
    rate_limit_retries: int = Field(default=5, description="Retries after HTTP 429.")
    server_error_retries: int = Field(default=2, description="Retries after HTTP 500/503.")
    connection_error_retries: int = Field(default=2, description="Retries after a reset.")
    timeout_seconds: int = Field(default=30, description="Timeout of one HTTP request.")

    def get_client(self) -> WebClient:
        if not self.token:
            raise SlackConfigError(
                f"{self.token_variable} is not set: set it to the Slack token this run needs."
            )
        base_url = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return WebClient(
            token=self.token,
            base_url=base_url,
            timeout=self.timeout_seconds,
            retry_handlers=[
                RateLimitErrorRetryHandler(max_retry_count=self.rate_limit_retries),
                ServerErrorRetryHandler(max_retry_count=self.server_error_retries),
                ConnectionErrorRetryHandler(max_retry_count=self.connection_error_retries),
            ],
        )

    @contextlib.contextmanager
    def explained_errors(self, method: str, channel: str | None = None) -> Iterator[None]:
        """Re-raise Slack's refusals of `method` as SlackCallError saying what to fix."""
        try:
            yield
        except SlackApiError as error:
            data = error.response.data if isinstance(error.response.data, dict) else {}
            code = str(data.get("error") or f"HTTP {error.response.status_code}")
            fix = _fixes(self.token_variable, channel).get(code, "See Slack's docs for it.")
            needed = f" (needed: {data['needed']})" if data.get("needed") else ""
            raise SlackCallError(
                f"Slack answered {code}{needed} to {method}. {fix}", code
            ) from None


def slack_resource(token_variable: str) -> DopSlackResource:
    """The resource reading its token from `token_variable` (and SLACK_API_URL if set).

    In production the token is always a dg.EnvVar, so a run that needs Slack without
    it fails at start naming the variable. Elsewhere it is one only when set, so
    definitions, dry runs and runs that never call Slack work without any token, and
    a run that does call Slack fails naming the variable (SlackConfigError).
    """
    production = environment.current_environment() is environment.Environment.PROD
    token = dg.EnvVar(token_variable) if production or os.getenv(token_variable) else None
    base_url = dg.EnvVar(API_URL_VARIABLE) if os.getenv(API_URL_VARIABLE) else SLACK_API_URL
    return DopSlackResource(token=token, token_variable=token_variable, base_url=base_url)


def slack_resources() -> dict[str, DopSlackResource]:
    """`slack` (posting: SLACK_BOT_TOKEN) and `slack_admin` (analytics: SLACK_ADMIN_TOKEN)."""
    return {
        "slack": slack_resource(BOT_TOKEN_VARIABLE),
        "slack_admin": slack_resource(ADMIN_TOKEN_VARIABLE),
    }
