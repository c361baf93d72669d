"""Running the raw telemetry asset in tests, over one day or a range (one run)."""

import datetime as dt

import dagster as dg
from daily_runs import materialize_days

from dop_shared.warehouse import DuckDBWarehouse
from dop_telemetry.ingestion.events import oss_telemetry_events


def materialize_events(files, *days: dt.date, warehouse=None) -> dg.ExecuteInProcessResult:
    resources = {"warehouse": warehouse or DuckDBWarehouse(), "telemetry_files": files}
    return materialize_days([oss_telemetry_events], resources, *days)
