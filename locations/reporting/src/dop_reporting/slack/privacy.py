"""The salted hash that stands in for an e-mail address: a join key, not the address.

Slack's member analytics carry each member's e-mail address, and the cloud product's
users table carries theirs: the address is what joins a community member to a Dagster+
user, and it must never land in the warehouse. Both sides keep instead
`sha256(salt || lower(trim(address, ' ')))` as hex, spaces trimmed and nothing else:
the Slack ingestion (here, through dop_shared.json_lines) and dbt's `email_hash` macro
(stg_postgres_etl_low_freq__users).
The salt keeps the hashes from being reversed by hashing a list of known addresses.

It comes from DOP_EMAIL_HASH_SALT in every environment; LOCAL falls back to the
documented default below (the same default as the dbt macro). Branch deployments and
production must set it, to the same value for Dagster and dbt, and never change it
(the hashes already stored would stop matching).
"""

from __future__ import annotations

import hashlib
import os

import dagster as dg
from pydantic import Field

from dop_shared import environment

SALT_VARIABLE = "DOP_EMAIL_HASH_SALT"
LOCAL_SALT = "dop-local-email-salt"  # also in dbt/macros/email_hash.sql


class EmailHashing(dg.ConfigurableResource):
    """The salt of the e-mail hashes; a dg.EnvVar outside LOCAL, never logged."""

    salt: str = Field(
        default=LOCAL_SALT,
        description=f"Salt of email_hash; from {SALT_VARIABLE} (LOCAL default: {LOCAL_SALT}).",
    )


def email_hashing_resource() -> EmailHashing:
    """From DOP_EMAIL_HASH_SALT when set or outside LOCAL (a run there without it fails at
    start naming it); otherwise the local default."""
    local = environment.current_environment() is environment.Environment.LOCAL
    if local and not os.getenv(SALT_VARIABLE):
        return EmailHashing()
    return EmailHashing(salt=dg.EnvVar(SALT_VARIABLE))


def email_hash(address: str | None, salt: str) -> str | None:
    """The hash both sides compute, in Python (tests, tools): None for no address."""
    normalized = (address or "").strip(" ").lower()
    if not normalized:
        return None
    return hashlib.sha256((salt + normalized).encode()).hexdigest()
