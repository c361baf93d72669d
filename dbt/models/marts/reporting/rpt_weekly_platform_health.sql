{#- The weekly health report posted to Slack: OSS adoption (telemetry location), Dagster+
    usage (cloud_usage location) and the community (Slack), one row per week. -#}
with oss as (
    select week_start, weekly_active_instances, weekly_active_ci_instances
    from {{ ref('fct_oss_active_instances_weekly') }}
),

cloud as (
    select
        cast({{ dbt.date_trunc('week', 'usage_date') }} as date) as week_start,
        count(distinct organization_id) as active_organizations,
        sum(runs) as cloud_runs,
        sum(failed_runs) as cloud_failed_runs
    from {{ ref('fct_cloud_organization_usage_daily') }}
    group by 1
),

community as (
    select
        cast({{ dbt.date_trunc('week', 'stats_date') }} as date) as week_start,
        max(total_members) as slack_members,
        max(weekly_active_members) as slack_weekly_active_members,
        sum(messages_in_public_channels) as slack_public_messages
    from {{ ref('stg_slack__member_stats') }}
    group by 1
),

weeks as (
    select week_start from oss
    union
    select week_start from cloud
    union
    select week_start from community
)

select
    weeks.week_start,
    coalesce(oss.weekly_active_instances, 0) as oss_weekly_active_instances,
    coalesce(oss.weekly_active_ci_instances, 0) as oss_weekly_active_ci_instances,
    coalesce(cloud.active_organizations, 0) as cloud_active_organizations,
    coalesce(cloud.cloud_runs, 0) as cloud_runs,
    coalesce(cloud.cloud_failed_runs, 0) as cloud_failed_runs,
    community.slack_members,
    community.slack_weekly_active_members,
    coalesce(community.slack_public_messages, 0) as slack_public_messages
from weeks
left join oss on weeks.week_start = oss.week_start
left join cloud on weeks.week_start = cloud.week_start
left join community on weeks.week_start = community.week_start
