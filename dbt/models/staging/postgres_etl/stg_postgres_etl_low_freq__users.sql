select
    id as user_id,
    lower(email) as email,
    name as user_name,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_low_freq', 'users') }}
