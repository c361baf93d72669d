{#- The weekly health report posted to Slack, one row per Monday week: OSS adoption and
    PyPI downloads (telemetry location), Dagster+ usage (cloud_usage location) and the
    community Slack (this location). A week appears when any of them has data. -#}
with oss as (
    select week_start, weekly_active_instances, weekly_active_users
    from {{ ref('fct_oss_active_instances_weekly') }}
),

-- major.minor as one sortable number: '1.13' -> 1013 (text would put 1.9 after 1.13)
versions as (
    select
        cast({{ dbt.date_trunc('week', 'activity_date') }} as date) as week_start,
        dagster_minor_version,
        {{ dbt.safe_cast(dbt.split_part('dagster_minor_version', "'.'", 1), api.Column.translate_type('integer')) }} * 1000
            + {{ dbt.safe_cast(dbt.split_part('dagster_minor_version', "'.'", 2), api.Column.translate_type('integer')) }}
            as version_rank,
        active_instances
    from {{ ref('fct_dagster_version_adoption_daily') }}
),

newest_version as (
    select
        week_start,
        sum(case when version_rank = newest then active_instances else 0 end) * 1.0
            / nullif(sum(active_instances), 0) as newest_version_share
    from (
        select *, max(version_rank) over (partition by week_start) as newest from versions
    ) as ranked
    group by week_start
),

pypi as (
    select week_start, sum(num_downloads) as downloads
    from {{ ref('fct_pypi_downloads_weekly') }}
    group by week_start
),

cloud as (
    select
        cast({{ dbt.date_trunc('week', 'usage_date') }} as date) as week_start,
        count(distinct case when runs > 0 then organization_id end) as active_organizations,
        sum(runs) as runs,
        sum(failed_runs) as failed_runs
    from {{ ref('fct_cloud_organization_usage_daily') }}
    group by 1
),

community as (
    select week_start, weekly_active_members, posting_members, new_members, messages_posted
    from {{ ref('fct_slack_community_weekly') }}
),

weeks as (
    select week_start from oss
    union
    select week_start from pypi
    union
    select week_start from cloud
    union
    select week_start from community
)

select
    weeks.week_start,
    oss.weekly_active_instances as oss_weekly_active_instances,
    oss.weekly_active_users as oss_weekly_active_users,
    newest_version.newest_version_share as oss_newest_version_share,
    pypi.downloads as pypi_downloads,
    cloud.active_organizations as cloud_active_organizations,
    cloud.runs as cloud_runs,
    cloud.failed_runs as cloud_failed_runs,
    cloud.failed_runs * 1.0 / nullif(cloud.runs, 0) as cloud_run_failure_rate,
    community.weekly_active_members as slack_weekly_active_members,
    community.posting_members as slack_posting_members,
    community.new_members as slack_new_members,
    community.messages_posted as slack_messages_posted
from weeks
left join oss on weeks.week_start = oss.week_start
left join newest_version on weeks.week_start = newest_version.week_start
left join pypi on weeks.week_start = pypi.week_start
left join cloud on weeks.week_start = cloud.week_start
left join community on weeks.week_start = community.week_start
