select
    id as run_pk,
    run_id,
    organization_id,
    deployment_id,
    upper(status) as status,
    {{ to_timestamp_or_null('create_timestamp') }} as created_at,
    {{ to_timestamp_or_null('start_time') }} as started_at,
    {{ to_timestamp_or_null('end_time') }} as ended_at,
    {{ to_timestamp_or_null('update_timestamp') }} as updated_at,
    _replicated_at
from {{ source('postgres_etl_high_freq', 'runs') }}
where {{ within_data_window(to_timestamp_or_null('create_timestamp')) }}
