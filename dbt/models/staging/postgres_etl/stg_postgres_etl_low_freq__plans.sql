select
    id as plan_id,
    upper(name) as plan_name,
    monthly_price_usd,
    included_credits,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_low_freq', 'plans') }}
