select
    id as check_execution_id,
    run_id,
    deployment_id,
    asset_key,
    check_name,
    passed,
    cast(created_at as {{ dbt.type_timestamp() }}) as executed_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_high_freq', 'asset_check_executions') }}
where {{ within_data_window('created_at') }}
