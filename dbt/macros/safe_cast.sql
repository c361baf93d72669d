{#- A cast that yields null instead of failing on a bad value (try_cast in both engines;
    dbt.safe_cast covers it, this wrapper only keeps model SQL short). -#}
{% macro to_timestamp_or_null(column) -%}
    {{ dbt.safe_cast(column, api.Column.translate_type('timestamp')) }}
{%- endmacro %}
