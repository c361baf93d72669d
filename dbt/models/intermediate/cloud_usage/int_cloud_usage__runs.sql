{#- One row per run with what usage is measured in: its deployment kind, run and step
    minutes, materializations. -#}
with runs as (
    select * from {{ ref('stg_postgres_etl_high_freq__runs') }}
),

deployments as (
    select deployment_id, is_branch_deployment
    from {{ ref('stg_postgres_etl_low_freq__deployments') }}
),

steps as (
    select
        run_id,
        count(*) as steps,
        sum(duration_seconds) / 60.0 as step_minutes
    from {{ ref('stg_postgres_etl_high_freq__step_stats') }}
    group by run_id
),

materializations as (
    select run_id, count(*) as materializations
    from {{ ref('stg_postgres_etl_high_freq__asset_materializations') }}
    group by run_id
)

select
    runs.run_pk,
    runs.run_id,
    runs.organization_id,
    runs.deployment_id,
    deployments.is_branch_deployment,
    runs.status,
    cast(runs.created_at as date) as run_date,
    runs.created_at,
    {{ dbt.datediff('runs.started_at', 'runs.ended_at', 'second') }} / 60.0 as run_minutes,
    coalesce(steps.steps, 0) as steps,
    coalesce(steps.step_minutes, 0) as step_minutes,
    coalesce(materializations.materializations, 0) as materializations
from runs
left join deployments on runs.deployment_id = deployments.deployment_id
left join steps on runs.run_id = steps.run_id
left join materializations on runs.run_id = materializations.run_id
