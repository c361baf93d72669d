{#- Daily, weekly and monthly active Dagster OSS instances, per day: DAU is the distinct
    instances with an event that day, WAU over the 7 days ending that day, MAU over 28;
    the same for users (one user runs many instances; clients older than early 2026 send
    no user id, so users are counted among the instances that report one).
    Incremental by day; a day reads the 27 days before it, never all history. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_date',
        on_schema_change='append_new_columns',
    )
}}

with instance_days as (
    select instance_id, user_id, activity_date, is_known_ci_env, events
    from {{ ref('int_telemetry__instance_days') }}
    where {{ in_partition_window('activity_date', lookback_days=27) }}
),

days as (
    select distinct activity_date
    from instance_days
    where {{ in_partition_window('activity_date') }}
),

trailing_counts as (
    select
        days.activity_date,
        count(distinct case when i.activity_date = days.activity_date then i.instance_id end)
            as daily_active_instances,
        count(distinct case
            when i.activity_date > {{ dbt.dateadd('day', -7, 'days.activity_date') }} then i.instance_id
        end) as weekly_active_instances,
        count(distinct i.instance_id) as monthly_active_instances,
        count(distinct case when i.activity_date = days.activity_date then i.user_id end)
            as daily_active_users,
        count(distinct case
            when i.activity_date > {{ dbt.dateadd('day', -7, 'days.activity_date') }} then i.user_id
        end) as weekly_active_users,
        count(distinct i.user_id) as monthly_active_users,
        count(distinct case
            when i.activity_date = days.activity_date and i.is_known_ci_env then i.instance_id
        end) as ci_active_instances,
        sum(case when i.activity_date = days.activity_date then i.events else 0 end) as events
    from days
    inner join instance_days as i
        on i.activity_date <= days.activity_date
        and i.activity_date > {{ dbt.dateadd('day', -28, 'days.activity_date') }}
    group by days.activity_date
),

new_instances as (
    select first_activity_date as activity_date, count(*) as new_instances
    from {{ ref('dim_oss_instances') }}
    where {{ in_partition_window('first_activity_date') }}
    group by first_activity_date
)

select
    trailing_counts.*,
    trailing_counts.daily_active_instances - trailing_counts.ci_active_instances as non_ci_active_instances,
    coalesce(new_instances.new_instances, 0) as new_instances
from trailing_counts
left join new_instances on trailing_counts.activity_date = new_instances.activity_date
