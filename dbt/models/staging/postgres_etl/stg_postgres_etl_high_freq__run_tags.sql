select
    id as run_tag_id,
    run_id,
    key as tag_key,
    value as tag_value,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_high_freq', 'run_tags') }}
where {{ within_data_window('created_at') }}
