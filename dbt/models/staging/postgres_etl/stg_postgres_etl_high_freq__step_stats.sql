select
    id as step_stat_id,
    run_id,
    step_key,
    upper(status) as status,
    cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
    cast(ended_at as {{ dbt.type_timestamp() }}) as ended_at,
    {{ dbt.datediff('started_at', 'ended_at', 'second') }} as duration_seconds,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_high_freq', 'step_stats') }}
where {{ within_data_window('created_at') }}
