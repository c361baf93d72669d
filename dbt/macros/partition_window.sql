{#- The rows a run should (re)build: its partition window when Dagster passes one
    (dop_window_start inclusive, dop_window_end exclusive, ISO dates), always within
    the environment's data window. `lookback_days` widens the start for models that
    need a few days before the window (trailing counts, cross-day deduplication).
        where {{ in_partition_window('event_date') }}
-#}
{% macro in_partition_window(column, lookback_days=0) -%}
    {%- set start = var('dop_window_start', none) -%}
    {%- set end = var('dop_window_end', none) -%}
    {%- if start and end -%}
        {{ column }} >= {{ window_start_date(lookback_days) }}
        and {{ column }} < {{ date_literal(end) }}
        and {{ within_data_window(column) }}
    {%- else -%}
        {{ within_data_window(column) }}
    {%- endif -%}
{%- endmacro %}

{#- First day of the run's window, minus `lookback_days`; without a window, the first
    day of the data window (or a very early date when all history is kept). -#}
{% macro window_start_date(lookback_days=0) -%}
    {%- set start = var('dop_window_start', none) -%}
    {%- if start -%}
        {{ dbt.dateadd('day', -1 * lookback_days, date_literal(start)) }}
    {%- elif var('dop_data_window_days', none) is not none -%}
        {{ dbt.dateadd('day', -1 * (var('dop_data_window_days') | int) - lookback_days, 'current_date') }}
    {%- else -%}
        {{ date_literal('1970-01-01') }}
    {%- endif -%}
{%- endmacro %}

{#- Like in_partition_window, widened to whole weeks (Monday to Sunday) so a model that
    aggregates by week rebuilds every week the window touches from all of its days. -#}
{% macro in_whole_weeks_of_window(column) -%}
    {%- set start = var('dop_window_start', none) -%}
    {%- set end = var('dop_window_end', none) -%}
    {%- if start and end -%}
        {%- set first_day = date_literal(start) -%}
        {%- set last_day = dbt.dateadd('day', -1, date_literal(end)) -%}
        {{ column }} >= cast({{ dbt.date_trunc('week', first_day) }} as date)
        and {{ column }} < {{ dbt.dateadd('day', 7, 'cast(' ~ dbt.date_trunc('week', last_day) ~ ' as date)') }}
        and {{ within_data_window(column) }}
    {%- else -%}
        {{ within_data_window(column) }}
    {%- endif -%}
{%- endmacro %}

{#- An ISO date string as a date, in the adapter's own SQL. -#}
{% macro date_literal(value) -%}
    {{ dbt.cast(dbt.string_literal(value), api.Column.translate_type('date')) }}
{%- endmacro %}
