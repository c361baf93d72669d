{#- Usage per organization and month, with the plan in force at the month's last active
    day: what finance bills and compares across plans. -#}
with daily as (
    select
        *,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month
    from {{ ref('fct_cloud_organization_usage_daily') }}
),

monthly as (
    select
        organization_id,
        usage_month,
        {{ arg_max('plan_name', 'usage_date') }} as plan_name,
        count(*) as active_days,
        sum(runs) as runs,
        sum(successful_runs) as successful_runs,
        sum(failed_runs) as failed_runs,
        sum(step_minutes) as step_minutes,
        sum(materializations) as materializations,
        max(active_deployments) as max_active_deployments,
        max(active_users) as max_active_users
    from daily
    group by organization_id, usage_month
)

select
    {{ dbt.concat(["cast(organization_id as varchar)", "'|'", "cast(usage_month as varchar)"]) }}
        as organization_month_key,
    *
from monthly
