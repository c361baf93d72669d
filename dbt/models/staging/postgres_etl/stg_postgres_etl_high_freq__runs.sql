select
    id as run_pk,
    run_id,
    organization_id,
    deployment_id,
    job_name,
    upper(status) as status,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
    cast(ended_at as {{ dbt.type_timestamp() }}) as ended_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_high_freq', 'runs') }}
where {{ within_data_window('created_at') }}
