"""Links into the Snowflake web UI, built from the configured account (never hard-coded)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import quote


def table_url(physical_table: str, env: Mapping[str, str] | None = None) -> str | None:
    """https://app.snowflake.com/... for DATABASE.SCHEMA.TABLE, or None without an account.

    SNOWFLAKE_ACCOUNT is either `<org>-<account>` (the account identifier Snowflake
    recommends) or a legacy locator `<locator>.<region>[.<cloud>]`; the UI address
    differs between the two.
    """
    values = os.environ if env is None else env
    account = values.get("SNOWFLAKE_ACCOUNT", "").strip().lower()
    if not account:
        return None
    if "." in account:
        locator, region = account.split(".", 1)
        prefix = f"{region}/{locator}"
    elif "-" in account:
        org, name = account.split("-", 1)
        prefix = f"{org}/{name}"
    else:
        return None
    database, schema, table = (quote(part.upper()) for part in physical_table.split("."))
    return (
        f"https://app.snowflake.com/{prefix}/#/data/databases/{database}"
        f"/schemas/{schema}/table/{table}"
    )
