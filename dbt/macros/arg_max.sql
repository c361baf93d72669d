{#- The value of `value` on the row where `by` is largest (an aggregate). -#}
{% macro arg_max(value, by) -%}
    {{ return(adapter.dispatch('arg_max', 'dop')(value, by)) }}
{%- endmacro %}

{% macro default__arg_max(value, by) -%}
    max_by({{ value }}, {{ by }})
{%- endmacro %}

{% macro duckdb__arg_max(value, by) -%}
    arg_max({{ value }}, {{ by }})
{%- endmacro %}
