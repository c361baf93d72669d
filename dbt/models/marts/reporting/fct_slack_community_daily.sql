{#- The community Slack per day: members, daily active and posting members, new members
    (accounts claimed that day), messages and reactions. -#}
select
    activity_date,
    count(*) as members,
    sum(case when is_active then 1 else 0 end) as daily_active_members,
    sum(case when messages_posted > 0 then 1 else 0 end) as posting_members,
    sum(case when joined_on = activity_date then 1 else 0 end) as new_members,
    sum(messages_posted) as messages_posted,
    sum(reactions_added) as reactions_added
from {{ ref('stg_slack__member_analytics') }}
group by activity_date
