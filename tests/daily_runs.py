"""Running a daily-partitioned asset in tests, over one day or a range (one run)."""

import datetime as dt

import dagster as dg


def materialize_days(assets: list, resources: dict, *days: dt.date) -> dg.ExecuteInProcessResult:
    """One run of `assets` over `days` (a range is a single-run backfill); never raises."""
    tags = {}
    if len(days) > 1:
        tags = {
            "dagster/asset_partition_range_start": days[0].isoformat(),
            "dagster/asset_partition_range_end": days[-1].isoformat(),
        }
    return dg.materialize(
        assets,
        partition_key=days[0].isoformat() if len(days) == 1 else None,
        tags=tags,
        resources=resources,
        raise_on_error=False,
    )
