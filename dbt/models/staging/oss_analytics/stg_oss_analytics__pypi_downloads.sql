{#- PyPI downloads of the Dagster packages per day, package and version. Incremental by
    day: a weekly partition replaces its seven days. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='download_date',
        on_schema_change='fail',
    )
}}

select
    cast(download_date as date) as download_date,
    lower(package) as package,
    package_version,
    cast(num_downloads as {{ api.Column.translate_type('bigint') }}) as num_downloads,
    {{ dbt.concat(["cast(download_date as varchar)", "'|'", "lower(package)", "'|'", "coalesce(package_version, '')"]) }}
        as download_key
from {{ source('oss_analytics', 'dagster_pypi_downloads') }}
where {{ in_partition_window('download_date') }}
