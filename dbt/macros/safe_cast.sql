{#- dbt's safe_cast is a plain cast on DuckDB (which has try_cast); make it safe there.
    dbt_project.yml's `dispatch` puts this project first in the dbt namespace. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#- A text timestamp, or null when it is not one. -#}
{% macro to_timestamp_or_null(column) -%}
    {{ dbt.safe_cast(column, api.Column.translate_type('timestamp')) }}
{%- endmacro %}
