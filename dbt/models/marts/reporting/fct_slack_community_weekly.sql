{#- The community Slack per Monday week: weekly active and posting members, new members,
    messages, and 4-week retention: of the members active in the week four weeks
    earlier, the share active again this week. -#}
with member_weeks as (
    select * from {{ ref('int_slack__member_weeks') }}
),

weekly as (
    select
        week_start,
        count(*) as members,
        sum(case when active_days > 0 then 1 else 0 end) as weekly_active_members,
        sum(case when messages_posted > 0 then 1 else 0 end) as posting_members,
        sum(case
            when joined_on >= week_start
                and joined_on < cast({{ dbt.dateadd('day', 7, 'week_start') }} as date)
            then 1 else 0
        end) as new_members,
        sum(messages_posted) as messages_posted
    from member_weeks
    group by week_start
),

retention as (
    select
        cast({{ dbt.dateadd('day', 28, 'earlier.week_start') }} as date) as week_start,
        count(*) as active_four_weeks_earlier,
        sum(case when later.user_id is not null then 1 else 0 end) as retained_members
    from member_weeks as earlier
    left join member_weeks as later
        on later.user_id = earlier.user_id
        and later.week_start = cast({{ dbt.dateadd('day', 28, 'earlier.week_start') }} as date)
        and later.active_days > 0
    where earlier.active_days > 0
    group by 1
)

select
    weekly.*,
    retention.retained_members,
    retention.retained_members * 1.0 / nullif(retention.active_four_weeks_earlier, 0)
        as retention_4w
from weekly
left join retention on weekly.week_start = retention.week_start
