{#- Each organization with its plan and where it stands in its lifecycle:
    TRIAL -> PAYING -> CHURNED (a trial that never pays churns straight from TRIAL). -#}
with organizations as (
    select * from {{ ref('stg_postgres_etl_low_freq__organizations') }}
),

plans as (
    select * from {{ ref('stg_postgres_etl_low_freq__plans') }}
)

select
    organizations.organization_id,
    organizations.organization_public_id,
    organizations.organization_name,
    plans.plan_name,
    plans.monthly_price_usd,
    case organizations.status
        when 'ACTIVE' then 'PAYING'
        else organizations.status
    end as lifecycle_stage,
    organizations.subscribed_at is not null as has_paid,
    cast(organizations.trial_started_at as date) as trial_started_on,
    cast(organizations.subscribed_at as date) as paying_since,
    cast(organizations.churned_at as date) as churned_on
from organizations
inner join plans on organizations.plan_id = plans.plan_id
