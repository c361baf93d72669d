select
    cast(download_date as date) as download_date,
    lower(package) as package,
    package_version,
    cast(num_downloads as {{ api.Column.translate_type('bigint') }}) as num_downloads,
    {{ dbt.concat(["cast(download_date as varchar)", "'|'", "lower(package)", "'|'", "coalesce(package_version, '')"]) }}
        as download_key
from {{ source('oss_analytics', 'dagster_pypi_downloads') }}
where {{ within_data_window('download_date') }}
