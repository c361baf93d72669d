{#- One row per valid telemetry event: typed, and deduplicated on event_id. Columns the raw
    table gains (a field added to the contract) are appended here too, never a failure. Clients retry,
    so an event can arrive twice, on the same day or a few days later: within the run the
    earliest copy wins, and an event already loaded in the week before the run's window
    is not loaded again. Incremental by day, so a daily run touches one day. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_date',
        on_schema_change='append_new_columns',
    )
}}

{%- set dedupe_lookback_days = 7 %}

with source as (
    select * from {{ source('prod_telemetry', 'oss_telemetry_events_raw') }}
    where {{ in_partition_window('event_date') }}
),

typed as (
    select
        event_id,
        action,
        {{ dbt.safe_cast('client_time', api.Column.translate_type('timestamp')) }} as client_at,
        event_date,
        instance_id,
        user_id,
        nullif(run_storage_id, '') as run_storage_id,
        dagster_version,
        {{ dbt.split_part('dagster_version', "'.'", 1) }}
            || '.' || {{ dbt.split_part('dagster_version', "'.'", 2) }} as dagster_minor_version,
        python_version,
        os_platform,
        os_desc,
        cast(is_known_ci_env as boolean) as is_known_ci_env,
        {{ elapsed_seconds('elapsed_time') }} as elapsed_seconds,
        {{ json_get_text('metadata', 'source') }} as metadata_source,
        {{ dbt.safe_cast(json_get_text('metadata', 'num_assets_in_repo'), api.Column.translate_type('integer')) }}
            as num_assets_in_repo,
        metadata,
        extra_fields,
        _source_file,
        _line_number,
        _loaded_at
    from source
),

first_copy as (
    select *
    from typed
    qualify row_number() over (
        partition by event_id order by event_date, _source_file, _line_number
    ) = 1
)

select first_copy.*
from first_copy
{% if is_incremental() %}
left join (
    select event_id
    from {{ this }}
    where event_date >= {{ window_start_date(dedupe_lookback_days) }}
      and event_date < {{ window_start_date() }}
) as already_loaded
    on first_copy.event_id = already_loaded.event_id
where already_loaded.event_id is null
{% endif %}
