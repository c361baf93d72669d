select
    id as organization_id,
    public_id as organization_public_id,
    name as organization_name,
    upper(plan_type) as plan_type,
    upper(status) as status,
    {{ to_timestamp_or_null('created_at') }} as created_at,
    {{ to_timestamp_or_null('updated_at') }} as updated_at,
    _replicated_at
from {{ source('postgres_etl_low_freq', 'organizations') }}
