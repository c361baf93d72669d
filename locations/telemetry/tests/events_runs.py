"""Running the raw telemetry asset in tests, over one day or a range (one run)."""

import datetime as dt

import dagster as dg

from dop_shared.warehouse import DuckDBWarehouse
from dop_telemetry.ingestion.events import oss_telemetry_events


def materialize_events(files, *days: dt.date, warehouse=None) -> dg.ExecuteInProcessResult:
    """One run of the asset over `days` (a range is a single-run backfill); never raises."""
    tags = {}
    if len(days) > 1:
        tags = {
            "dagster/asset_partition_range_start": days[0].isoformat(),
            "dagster/asset_partition_range_end": days[-1].isoformat(),
        }
    return dg.materialize(
        [oss_telemetry_events],
        partition_key=days[0].isoformat() if len(days) == 1 else None,
        tags=tags,
        resources={"warehouse": warehouse or DuckDBWarehouse(), "telemetry_files": files},
        raise_on_error=False,
    )
