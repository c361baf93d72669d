{#- Soft-deleted code locations are kept and flagged (is_deleted). -#}
select
    id as code_location_id,
    deployment_id,
    name as code_location_name,
    image,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    {{ soft_delete_columns('deleted_at') }},
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_low_freq', 'code_locations') }}
