{#- A soft-deleted row's deletion time (renamed `alias`) and its `is_deleted` flag.
    Staging keeps soft-deleted rows and flags them: the marts decide what "current" is. -#}
{% macro soft_delete_columns(alias='deleted_at', column='deleted_at') -%}
    cast({{ column }} as {{ dbt.type_timestamp() }}) as {{ alias }},
    {{ column }} is not null as is_deleted
{%- endmacro %}
