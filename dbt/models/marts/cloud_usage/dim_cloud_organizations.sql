{#- One row per organization: plan, lifecycle stage and dates, members and deployments
    now, first and last active day in the data window. -#}
with organizations as (
    select * from {{ ref('int_cloud_usage__organization_plans') }}
),

members as (
    select organization_id, count(*) as current_members
    from {{ ref('stg_postgres_etl_low_freq__organization_users') }}
    where not is_deleted
    group by organization_id
),

deployments as (
    select
        organization_id,
        sum(case when not is_branch_deployment and not is_deleted then 1 else 0 end)
            as full_deployments,
        sum(case when is_branch_deployment then 1 else 0 end) as branch_deployments_opened
    from {{ ref('stg_postgres_etl_low_freq__deployments') }}
    group by organization_id
),

activity as (
    select organization_id, min(run_date) as first_active_on, max(run_date) as last_active_on
    from {{ ref('int_cloud_usage__runs') }}
    group by organization_id
)

select
    organizations.*,
    coalesce(members.current_members, 0) as current_members,
    coalesce(deployments.full_deployments, 0) as full_deployments,
    coalesce(deployments.branch_deployments_opened, 0) as branch_deployments_opened,
    activity.first_active_on,
    activity.last_active_on
from organizations
left join members on organizations.organization_id = members.organization_id
left join deployments on organizations.organization_id = deployments.organization_id
left join activity on organizations.organization_id = activity.organization_id
