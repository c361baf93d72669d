{#- What instances do with Dagster, per day and action (feature usage): events, the
    instances that sent them, from CI or not. Incremental by day. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_date',
        on_schema_change='fail',
    )
}}

select
    event_date,
    action,
    count(*) as events,
    count(distinct instance_id) as instances,
    sum(case when is_known_ci_env then 1 else 0 end) as ci_events,
    {{ dbt.concat(["cast(event_date as varchar)", "'|'", "action"]) }} as day_action_key
from {{ ref('stg_prod_telemetry__events') }}
where {{ in_partition_window('event_date') }}
group by event_date, action
