select
    cast("date" as date) as stats_date,
    total_enabled_membership_count as total_members,
    full_members,
    guests,
    daily_active_members,
    weekly_active_members,
    daily_members_posting_messages,
    messages_in_public_channels
from {{ source('slack', 'slack_member_stats') }}
where {{ within_data_window('cast("date" as date)') }}
