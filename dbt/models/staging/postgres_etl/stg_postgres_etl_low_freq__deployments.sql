{#- Soft-deleted (closed) deployments are kept and flagged (is_deleted): their runs
    still count as usage. -#}
select
    id as deployment_id,
    organization_id,
    name as deployment_name,
    is_branch_deployment,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    {{ soft_delete_columns('deleted_at') }},
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_low_freq', 'deployments') }}
