{#- Weekly PyPI downloads per package and version (weeks start on Monday). Incremental by
    week. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='week_start',
        on_schema_change='fail',
    )
}}

with weekly as (
    select
        cast({{ dbt.date_trunc('week', 'download_date') }} as date) as week_start,
        package,
        package_version,
        sum(num_downloads) as num_downloads,
        count(distinct download_date) as days_with_data
    from {{ ref('stg_oss_analytics__pypi_downloads') }}
    where {{ in_whole_weeks_of_window('download_date') }}
    group by 1, 2, 3
)

select
    *,
    {{ dbt.concat(["cast(week_start as varchar)", "'|'", "package", "'|'", "coalesce(package_version, '')"]) }}
        as week_package_version_key
from weekly
