{#- Which Dagster versions active instances run, per day: adoption of each major.minor
    release over time. Incremental by day. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_date',
        on_schema_change='fail',
    )
}}

with by_version as (
    select
        activity_date,
        dagster_minor_version,
        count(*) as active_instances,
        sum(case when is_known_ci_env then 1 else 0 end) as ci_active_instances
    from {{ ref('int_telemetry__instance_days') }}
    where {{ in_partition_window('activity_date') }}
    group by activity_date, dagster_minor_version
)

select
    *,
    active_instances * 1.0 / sum(active_instances) over (partition by activity_date)
        as share_of_active_instances,
    {{ dbt.concat(["cast(activity_date as varchar)", "'|'", "coalesce(dagster_minor_version, '')"]) }}
        as day_version_key
from by_version
