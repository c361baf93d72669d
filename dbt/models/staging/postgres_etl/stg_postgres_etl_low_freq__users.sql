{#- The login e-mail never leaves this model: only its salted hash (email_hash macro),
    the key that joins a user to the community Slack's members. -#}
select
    id as user_id,
    {{ email_hash('email') }} as email_hash,
    name as user_name,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('postgres_etl_low_freq', 'users') }}
