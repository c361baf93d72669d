{#- True for rows whose `column` (a date) falls in the `days` days that end `skip_days`
    before `as_of` (inclusive): the last 28 days, or the 28 before them.
        sum(case when {{ in_trailing_days('usage_date', 'as_of_date', 28) }} then runs end)
-#}
{% macro in_trailing_days(column, as_of, days, skip_days=0) -%}
    {{ column }} > {{ dbt.dateadd('day', -1 * (days + skip_days), as_of) }}
    and {{ column }} <= {{ dbt.dateadd('day', -1 * skip_days, as_of) if skip_days else as_of }}
{%- endmacro %}
