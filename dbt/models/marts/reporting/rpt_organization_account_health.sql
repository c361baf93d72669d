{#- One row per Dagster+ organization: plan, lifecycle and usage over 28 days (cloud_usage
    location) beside its people in the community Slack (this location), joined on the
    salted e-mail hash both sides keep instead of the address, and a health flag an
    account team can sort by. Slack activity is counted over the same 28 days. -#}
with organizations as (
    select * from {{ ref('fct_cloud_organization_usage_28d') }}
),

as_of as (
    select max(as_of_date) as as_of_date from organizations
),

community as (
    select
        slack.email_hash,
        sum(case when {{ in_trailing_days('slack.activity_date', 'as_of.as_of_date', 28) }}
            then slack.messages_posted else 0 end) as messages_last_28d
    from {{ ref('stg_slack__member_analytics') }} as slack
    cross join as_of
    where slack.email_hash is not null
    group by slack.email_hash
),

organization_community as (
    select
        members.organization_id,
        count(distinct members.user_id) as slack_members,
        count(distinct case when community.messages_last_28d > 0 then members.user_id end)
            as slack_posting_members_last_28d,
        sum(community.messages_last_28d) as slack_messages_last_28d
    from {{ ref('dim_cloud_organization_members') }} as members
    inner join community on members.email_hash = community.email_hash
    group by members.organization_id
)

select
    organizations.organization_id,
    organizations.organization_name,
    organizations.plan_name,
    organizations.lifecycle_stage,
    organizations.as_of_date,
    organizations.current_members,
    organizations.peak_active_users_last_28d,
    organizations.runs_last_28d,
    organizations.runs_prior_28d,
    organizations.failed_runs_last_28d,
    organizations.run_failure_rate_last_28d,
    organizations.last_run_on,
    coalesce(organization_community.slack_members, 0) as slack_members,
    coalesce(organization_community.slack_posting_members_last_28d, 0)
        as slack_posting_members_last_28d,
    coalesce(organization_community.slack_messages_last_28d, 0) as slack_messages_last_28d,
    case
        when organizations.lifecycle_stage = 'CHURNED' then 'churned'
        when organizations.runs_last_28d = 0 then 'inactive'
        when organizations.runs_last_28d < 0.5 * organizations.runs_prior_28d then 'at_risk'
        when organizations.failed_runs_last_28d > 0.2 * organizations.runs_last_28d then 'at_risk'
        when coalesce(organization_community.slack_messages_last_28d, 0) > 0 then 'engaged'
        else 'healthy'
    end as account_health
from organizations
left join organization_community
    on organizations.organization_id = organization_community.organization_id
