select
    id as materialization_id,
    run_id,
    deployment_id,
    asset_key,
    step_key,
    cast(created_at as {{ dbt.type_timestamp() }}) as materialized_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_high_freq', 'asset_materializations') }}
where {{ within_data_window('created_at') }}
