{#- Weekly active instances (weeks start on Monday): distinct instances with any event in
    the week, and distinct users (one user runs many instances). Incremental by week: a run rebuilds, from all their days, the weeks its
    window touches. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='week_start',
        on_schema_change='append_new_columns',
    )
}}

select
    cast({{ dbt.date_trunc('week', 'activity_date') }} as date) as week_start,
    count(distinct instance_id) as weekly_active_instances,
    count(distinct user_id) as weekly_active_users,
    count(distinct case when is_known_ci_env then instance_id end) as weekly_active_ci_instances,
    count(distinct dagster_minor_version) as dagster_minor_versions_in_use,
    sum(events) as events
from {{ ref('int_telemetry__instance_days') }}
where {{ in_whole_weeks_of_window('activity_date') }}
group by 1
