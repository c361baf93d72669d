select
    id as deployment_id,
    organization_id,
    name as deployment_name,
    cast(is_branch_deployment as integer) = 1 as is_branch_deployment,
    {{ to_timestamp_or_null('created_at') }} as created_at,
    _replicated_at
from {{ source('postgres_etl_low_freq', 'deployments') }}
