{#- Current members of each Dagster+ organization (removed ones excluded), with the user's
    salted e-mail hash: how other domains (the community Slack) find an organization's
    people without an e-mail address. -#}
select
    memberships.organization_user_id,
    memberships.organization_id,
    memberships.user_id,
    memberships.role,
    memberships.joined_at,
    users.email_hash
from {{ ref('stg_postgres_etl_low_freq__organization_users') }} as memberships
inner join {{ ref('stg_postgres_etl_low_freq__users') }} as users
    on memberships.user_id = users.user_id
where not memberships.is_deleted
