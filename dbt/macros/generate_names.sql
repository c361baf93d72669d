{#- Where models are written. Both names come from dop_shared through vars, so the
    environment is decided in one place; without vars (plain dbt from the CLI) the
    target's database and the model's own schema are used. Asset keys never depend on
    these: the Dagster translator keys models by their configured schema. -#}

{% macro generate_database_name(custom_database_name=none, node=none) -%}
    {%- set configured = var('dop_models_database', none) or custom_database_name or target.database -%}
    {{ configured | lower if target.type == 'duckdb' else configured | upper }}
{%- endmacro %}

{% macro generate_schema_name(custom_schema_name=none, node=none) -%}
    {%- set override = var('dop_schema_override', none) -%}
    {%- if override -%}
        {{ override | trim }}
    {%- elif custom_schema_name -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}
    {%- endif -%}
{%- endmacro %}
