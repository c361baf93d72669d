{#- Soft-deleted memberships are kept and flagged (is_deleted): membership history
    (who was a member on which day) needs them. -#}
select
    id as organization_user_id,
    organization_id,
    user_id,
    upper(role) as role,
    cast(created_at as {{ dbt.type_timestamp() }}) as joined_at,
    {{ soft_delete_columns('removed_at') }},
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_low_freq', 'organization_users') }}
