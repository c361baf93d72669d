{#- Text value of a top-level key of a JSON document held in a string column.
    DuckDB and Snowflake spell JSON access differently; dispatch keeps models portable. -#}
{% macro json_get_text(column, key) -%}
    {{ return(adapter.dispatch('json_get_text', 'dop')(column, key)) }}
{%- endmacro %}

{% macro default__json_get_text(column, key) -%}
    json_extract_path_text({{ column }}, '{{ key }}')
{%- endmacro %}

{% macro duckdb__json_get_text(column, key) -%}
    json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro snowflake__json_get_text(column, key) -%}
    try_parse_json({{ column }}):"{{ key }}"::varchar
{%- endmacro %}
