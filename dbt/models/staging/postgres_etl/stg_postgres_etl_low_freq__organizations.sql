select
    id as organization_id,
    public_id as organization_public_id,
    name as organization_name,
    plan_id,
    upper(status) as status,
    cast(trial_started_at as {{ dbt.type_timestamp() }}) as trial_started_at,
    cast(subscribed_at as {{ dbt.type_timestamp() }}) as subscribed_at,
    cast(churned_at as {{ dbt.type_timestamp() }}) as churned_at,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_low_freq', 'organizations') }}
