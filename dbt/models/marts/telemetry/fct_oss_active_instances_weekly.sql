{#- Weekly active instances: distinct instances with any event in the week (weeks start
    on Monday, as date_trunc does on both engines). -#}
select
    cast({{ dbt.date_trunc('week', 'activity_date') }} as date) as week_start,
    count(distinct instance_id) as weekly_active_instances,
    count(distinct case when is_known_ci_env then instance_id end) as weekly_active_ci_instances,
    count(distinct dagster_minor_version) as dagster_minor_versions_in_use,
    sum(events) as events
from {{ ref('int_telemetry__instance_days') }}
group by 1
