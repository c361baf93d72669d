{#- Seconds in a Python str(timedelta) such as '0:02:57.166000' (null if it is not one;
    durations over a day, '1 day, 2:00:00', are rare in telemetry and also yield null). -#}
{% macro elapsed_seconds(column) -%}
    (
        {{ dbt.safe_cast(dbt.split_part(column, "':'", 1), api.Column.translate_type('integer')) }} * 3600
        + {{ dbt.safe_cast(dbt.split_part(column, "':'", 2), api.Column.translate_type('integer')) }} * 60
        + {{ dbt.safe_cast(dbt.split_part(column, "':'", 3), api.Column.translate_type('float')) }}
    )
{%- endmacro %}
