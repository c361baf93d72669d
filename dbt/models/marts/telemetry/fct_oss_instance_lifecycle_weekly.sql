{#- New and churned instances per week, CI and not. An instance is new in the week of its
    first event and churned in the week its last event falls in, once 28 days have passed
    without another one. Rebuilt from dim_oss_instances (one row per instance, not per
    event), so it stays cheap as history grows. -#}
{%- set churn_after_days = 28 %}

with instances as (
    select
        instance_id,
        is_known_ci_env,
        cast({{ dbt.date_trunc('week', 'first_activity_date') }} as date) as first_week,
        case
            when last_activity_date < {{ dbt.dateadd('day', -churn_after_days, 'latest.last_day') }}
                then cast({{ dbt.date_trunc('week', 'last_activity_date') }} as date)
        end as churn_week
    from {{ ref('dim_oss_instances') }}
    cross join (select max(last_activity_date) as last_day from {{ ref('dim_oss_instances') }}) as latest
),

new_by_week as (
    select
        first_week as week_start,
        count(*) as new_instances,
        sum(case when is_known_ci_env then 1 else 0 end) as new_ci_instances
    from instances
    group by 1
),

churned_by_week as (
    select
        churn_week as week_start,
        count(*) as churned_instances,
        sum(case when is_known_ci_env then 1 else 0 end) as churned_ci_instances
    from instances
    where churn_week is not null
    group by 1
)

select
    coalesce(n.week_start, c.week_start) as week_start,
    coalesce(n.new_instances, 0) as new_instances,
    coalesce(n.new_ci_instances, 0) as new_ci_instances,
    coalesce(c.churned_instances, 0) as churned_instances,
    coalesce(c.churned_ci_instances, 0) as churned_ci_instances,
    coalesce(n.new_instances, 0) - coalesce(c.churned_instances, 0) as net_new_instances
from new_by_week as n
full outer join churned_by_week as c on n.week_start = c.week_start
