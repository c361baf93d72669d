{#- The salted hash that stands in for an e-mail address: sha256(salt || lower(trim(address, ' ')))
    as lower-case hex, NULL for no address. Only spaces are trimmed, on every warehouse
    (DuckDB's one-argument trim also drops Unicode spaces, Snowflake's does not). The same hash as the Slack ingestion
    (dop_reporting.slack.privacy), so the two join. The salt: the dop_email_hash_salt var,
    else DOP_EMAIL_HASH_SALT, else the local default (the same as the Python side). A
    branch deployment or production build without a salt of its own fails here. -#}
{% macro email_hash(address) -%}
    {%- set local_salt = 'dop-local-email-salt' -%}
    {%- set salt = var('dop_email_hash_salt', none) or env_var('DOP_EMAIL_HASH_SALT', local_salt) -%}
    {%- if execute and salt == local_salt and target.name in ('prod', 'branch_deployment')
          and flags.WHICH in ('run', 'build') -%}
        {{ exceptions.raise_compiler_error(
            "Set DOP_EMAIL_HASH_SALT (the salt of email_hash, the same value the Dagster "
            ~ "locations use): target " ~ target.name ~ " must not hash with the local default.") }}
    {%- endif -%}
    {{ adapter.dispatch('sha256_hex', 'dop')(
        dbt.concat(["'" ~ salt | replace("'", "''") ~ "'", "nullif(lower(trim(" ~ address ~ ", ' ')), '')"])) }}
{%- endmacro %}

{% macro default__sha256_hex(text) -%}
    sha2({{ text }}, 256)
{%- endmacro %}

{% macro duckdb__sha256_hex(text) -%}
    sha256({{ text }})
{%- endmacro %}
