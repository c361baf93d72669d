{#- One row per Dagster+ organization: plan and lifecycle (the organization dimension) beside
    its usage over the last 28 days and the 28 before, as of the latest day of usage data.
    What the reporting location's rpt_organization_account_health builds on. -#}
with usage as (
    select * from {{ ref('fct_cloud_organization_usage_daily') }}
),

as_of as (
    select max(usage_date) as as_of_date from usage
),

windows as (
    select
        usage.organization_id,
        sum(case when {{ in_trailing_days('usage.usage_date', 'as_of.as_of_date', 28) }}
            then usage.runs else 0 end) as runs_last_28d,
        sum(case when {{ in_trailing_days('usage.usage_date', 'as_of.as_of_date', 28, 28) }}
            then usage.runs else 0 end) as runs_prior_28d,
        sum(case when {{ in_trailing_days('usage.usage_date', 'as_of.as_of_date', 28) }}
            then usage.failed_runs else 0 end) as failed_runs_last_28d,
        max(case when {{ in_trailing_days('usage.usage_date', 'as_of.as_of_date', 28) }}
            then usage.active_users end) as peak_active_users_last_28d,
        max(case when usage.runs > 0 then usage.usage_date end) as last_run_on
    from usage
    cross join as_of
    group by usage.organization_id
)

select
    organizations.organization_id,
    organizations.organization_name,
    organizations.plan_name,
    organizations.lifecycle_stage,
    organizations.current_members,
    as_of.as_of_date,
    coalesce(windows.runs_last_28d, 0) as runs_last_28d,
    coalesce(windows.runs_prior_28d, 0) as runs_prior_28d,
    coalesce(windows.failed_runs_last_28d, 0) as failed_runs_last_28d,
    windows.failed_runs_last_28d * 1.0 / nullif(windows.runs_last_28d, 0)
        as run_failure_rate_last_28d,
    windows.peak_active_users_last_28d,
    windows.last_run_on
from {{ ref('dim_cloud_organizations') }} as organizations
cross join as_of
left join windows on organizations.organization_id = windows.organization_id
