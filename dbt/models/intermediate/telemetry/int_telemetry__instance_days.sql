{#- One row per instance and day it sent telemetry: the grain of every activity metric.
    Incremental by day. `user_id` is the user of the instance's latest event that day (an
    instance is one user's in practice; older clients send none). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_date',
        on_schema_change='append_new_columns',
    )
}}

select
    instance_id,
    event_date as activity_date,
    count(*) as events,
    sum(case when action = 'step_success_event' then 1 else 0 end) as steps_succeeded,
    sum(case when action = 'step_failure_event' then 1 else 0 end) as steps_failed,
    sum(case when action = '_logged_execute_job_started' then 1 else 0 end) as jobs_started,
    {{ arg_max('user_id', 'client_at') }} as user_id,
    {{ arg_max('dagster_version', 'client_at') }} as dagster_version,
    {{ arg_max('dagster_minor_version', 'client_at') }} as dagster_minor_version,
    max(os_platform) as os_platform,
    bool_or(is_known_ci_env) as is_known_ci_env,
    {{ dbt.concat(["instance_id", "'|'", "cast(event_date as varchar)"]) }} as instance_day_key
from {{ ref('stg_prod_telemetry__events') }}
where {{ in_partition_window('event_date') }}
group by instance_id, event_date
