{#- One row per valid telemetry event: typed, deduplicated on event_id (clients retry,
    so the same event can arrive twice; the earliest load wins). -#}
with source as (
    select * from {{ source('prod_telemetry', 'oss_telemetry_events_raw') }}
    where {{ within_data_window('event_date') }}
),

typed as (
    select
        event_id,
        action,
        {{ dbt.safe_cast('client_time', api.Column.translate_type('timestamp')) }} as client_at,
        event_date,
        instance_id,
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
        _source_file,
        _line_number,
        _loaded_at
    from source
)

select *
from typed
qualify row_number() over (
    partition by event_id order by _loaded_at, _source_file, _line_number
) = 1
