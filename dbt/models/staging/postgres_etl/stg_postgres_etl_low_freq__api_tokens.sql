{#- Revoked (soft-deleted) tokens are kept and flagged (is_deleted). -#}
select
    id as api_token_id,
    organization_id,
    user_id,
    description,
    cast(created_at as {{ dbt.type_timestamp() }}) as issued_at,
    {{ soft_delete_columns('revoked_at') }},
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_low_freq', 'api_tokens') }}
