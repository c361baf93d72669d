{#- Usage per organization and day (days with runs): the measure behind Dagster+ billing
    and customer health. The plan is the one in force that day. -#}
with runs as (
    select * from {{ ref('int_cloud_usage__runs') }}
),

organizations as (
    select * from {{ ref('int_cloud_usage__organization_plans') }}
),

members as (
    select * from {{ ref('stg_postgres_etl_low_freq__organization_users') }}
),

daily as (
    select
        organization_id,
        run_date as usage_date,
        count(*) as runs,
        sum(case when status = 'SUCCESS' then 1 else 0 end) as successful_runs,
        sum(case when status = 'FAILURE' then 1 else 0 end) as failed_runs,
        sum(case when is_branch_deployment then 1 else 0 end) as branch_deployment_runs,
        coalesce(sum(run_minutes), 0) as run_minutes,
        sum(step_minutes) as step_minutes,
        sum(materializations) as materializations,
        count(distinct deployment_id) as active_deployments
    from runs
    group by organization_id, run_date
),

seats as (
    select
        daily.organization_id,
        daily.usage_date,
        count(members.organization_user_id) as active_users
    from daily
    left join members
        on daily.organization_id = members.organization_id
        and cast(members.joined_at as date) <= daily.usage_date
        and (members.removed_at is null or cast(members.removed_at as date) > daily.usage_date)
    group by daily.organization_id, daily.usage_date
)

select
    {{ dbt.concat(["cast(daily.organization_id as varchar)", "'|'", "cast(daily.usage_date as varchar)"]) }}
        as organization_day_key,
    daily.organization_id,
    daily.usage_date,
    case
        when organizations.paying_since is null or daily.usage_date < organizations.paying_since
            then 'TRIAL'
        else organizations.plan_name
    end as plan_name,
    daily.runs,
    daily.successful_runs,
    daily.failed_runs,
    daily.branch_deployment_runs,
    daily.run_minutes,
    daily.step_minutes,
    daily.materializations,
    daily.active_deployments,
    seats.active_users
from daily
inner join seats
    on daily.organization_id = seats.organization_id and daily.usage_date = seats.usage_date
inner join organizations on daily.organization_id = organizations.organization_id
