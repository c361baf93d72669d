{#- One row per Dagster OSS instance ever seen: first and last activity, the version it
    runs now, CI or not. Incremental: instances active in the run's window are merged
    with what is known of them (earliest first day, latest last day), so days can be
    loaded in any order and a day loaded twice changes nothing. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='instance_id',
        on_schema_change='fail',
    )
}}

with window_activity as (
    select
        instance_id,
        min(activity_date) as first_activity_date,
        max(activity_date) as last_activity_date,
        {{ arg_max('dagster_version', 'activity_date') }} as latest_dagster_version,
        {{ arg_max('os_platform', 'activity_date') }} as os_platform,
        bool_or(is_known_ci_env) as is_known_ci_env
    from {{ ref('int_telemetry__instance_days') }}
    where {{ in_partition_window('activity_date') }}
    group by instance_id
)

{% if is_incremental() %}
, known as (
    select *
    from {{ this }}
    where instance_id in (select instance_id from window_activity)
)

select
    w.instance_id,
    least(w.first_activity_date, coalesce(k.first_activity_date, w.first_activity_date)) as first_activity_date,
    greatest(w.last_activity_date, coalesce(k.last_activity_date, w.last_activity_date)) as last_activity_date,
    case
        when k.last_activity_date > w.last_activity_date then k.latest_dagster_version
        else w.latest_dagster_version
    end as latest_dagster_version,
    case when k.last_activity_date > w.last_activity_date then k.os_platform else w.os_platform end
        as os_platform,
    w.is_known_ci_env or coalesce(k.is_known_ci_env, false) as is_known_ci_env
from window_activity as w
left join known as k on w.instance_id = k.instance_id
{% else %}
select * from window_activity
{% endif %}
