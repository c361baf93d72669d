{#- Daily active Dagster OSS instances, with the first-seen day of each instance
    to tell new instances from returning ones. -#}
with instance_days as (
    select * from {{ ref('int_telemetry__instance_days') }}
),

first_seen as (
    select instance_id, min(activity_date) as first_activity_date
    from instance_days
    group by instance_id
)

select
    d.activity_date,
    count(*) as active_instances,
    sum(case when d.activity_date = f.first_activity_date then 1 else 0 end) as new_instances,
    sum(case when d.is_known_ci_env then 1 else 0 end) as ci_instances,
    sum(d.events) as events,
    sum(d.steps_succeeded) as steps_succeeded,
    sum(d.steps_failed) as steps_failed
from instance_days as d
inner join first_seen as f on d.instance_id = f.instance_id
group by d.activity_date
