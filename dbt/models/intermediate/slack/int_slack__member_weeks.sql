{#- One row per member and week (Monday weeks) with Slack activity figures: the grain of
    the weekly community metrics and of retention. -#}
select
    {{ dbt.concat(["cast(" ~ dbt.date_trunc('week', 'activity_date') ~ " as varchar)", "'|'", "user_id"]) }}
        as member_week_key,
    cast({{ dbt.date_trunc('week', 'activity_date') }} as date) as week_start,
    user_id,
    min(joined_on) as joined_on,
    sum(case when is_active then 1 else 0 end) as active_days,
    sum(messages_posted) as messages_posted,
    sum(reactions_added) as reactions_added
from {{ ref('stg_slack__member_analytics') }}
group by 1, 2, 3
