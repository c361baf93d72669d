{#- One row per community Slack member and day: every field Slack sends, typed, the natural
    key (date, user_id) made one column. The e-mail address arrives only as email_hash
    (hashed at ingestion). A member's first active day comes from the marts. -#}
select
    {{ dbt.concat(["cast(\"date\" as varchar)", "'|'", "user_id"]) }} as member_day_key,
    cast("date" as date) as activity_date,
    user_id,
    email_hash,
    enterprise_id,
    team_id,
    enterprise_employee_number,
    coalesce(is_guest, false) as is_guest,
    coalesce(is_billable_seat, false) as is_billable_seat,
    coalesce(is_active, false) as is_active,
    coalesce(is_active_desktop, false) as is_active_desktop,
    coalesce(is_active_ios, false) as is_active_ios,
    coalesce(is_active_android, false) as is_active_android,
    coalesce(is_active_ios, false) or coalesce(is_active_android, false) as is_active_mobile,
    coalesce(is_active_apps, false) as is_active_apps,
    coalesce(is_active_workflows, false) as is_active_workflows,
    coalesce(is_active_slack_connect, false) as is_active_slack_connect,
    coalesce(messages_posted_count, 0) as messages_posted,
    coalesce(channel_messages_posted_count, 0) as channel_messages_posted,
    coalesce(reactions_added_count, 0) as reactions_added,
    coalesce(files_added_count, 0) as files_added,
    coalesce(total_calls_count, 0) as calls,
    coalesce(slack_calls_count, 0) as slack_calls,
    coalesce(slack_huddles_count, 0) as huddles,
    coalesce(search_count, 0) as searches,
    {{ dbt.dateadd('second', 'date_claimed', "cast('1970-01-01' as timestamp)") }} as claimed_at,
    cast({{ dbt.dateadd('second', 'date_claimed', "cast('1970-01-01' as timestamp)") }} as date)
        as joined_on
from {{ source('slack', 'slack_member_analytics') }}
where {{ within_data_window('cast("date" as date)') }}
