{#- Keep only the last `dop_data_window_days` days outside production (var set by
    dop_shared; null means all history). Use in a WHERE clause:
        where {{ within_data_window('event_at') }}
-#}
{% macro within_data_window(column) -%}
    {%- set days = var('dop_data_window_days', none) -%}
    {%- if days is none -%}
        true
    {%- else -%}
        {{ column }} >= {{ dbt.dateadd('day', -1 * (days | int), 'current_date') }}
    {%- endif -%}
{%- endmacro %}
