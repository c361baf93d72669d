{#- Runs per organization and day: the usage measure behind Dagster+ billing and health. -#}
with runs as (
    select * from {{ ref('stg_postgres_etl_high_freq__runs') }}
),

deployments as (
    select * from {{ ref('stg_postgres_etl_low_freq__deployments') }}
),

daily as (
    select
        runs.organization_id,
        cast(runs.created_at as date) as usage_date,
        count(*) as runs,
        sum(case when runs.status = 'SUCCESS' then 1 else 0 end) as successful_runs,
        sum(case when runs.status = 'FAILURE' then 1 else 0 end) as failed_runs,
        sum(case when deployments.is_branch_deployment then 1 else 0 end) as branch_deployment_runs,
        sum({{ dbt.datediff('runs.started_at', 'runs.ended_at', 'second') }}) / 60.0 as run_minutes
    from runs
    left join deployments on runs.deployment_id = deployments.deployment_id
    group by 1, 2
)

select
    daily.*,
    organizations.plan_type,
    {{ dbt.concat(["cast(daily.organization_id as varchar)", "'|'", "cast(daily.usage_date as varchar)"]) }}
        as organization_day_key
from daily
inner join {{ ref('stg_postgres_etl_low_freq__organizations') }} as organizations
    on daily.organization_id = organizations.organization_id
