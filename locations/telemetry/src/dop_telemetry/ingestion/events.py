"""Raw OSS telemetry: one daily partition per source file, quarantining broken lines.

Each partition is replaced in one transaction (delete the day, insert the day),
so re-running a day never duplicates events and a failed run leaves the day as
it was. Lines that are not a JSON object with an event id go, with their file,
line number and raw text, to a quarantine table instead of failing the run.
"""

import datetime as dt

import dagster as dg
from dop_shared.locations import location
from dop_shared.warehouse import Partition, TableRef, Warehouse

from dop_telemetry.ingestion.files import TelemetryFiles
from dop_telemetry.ingestion.line_reader import UnreadableFile, read_lines
from dop_telemetry.ingestion.parse import parse_lines

RAW_EVENTS = TableRef("purina", "prod_telemetry", "oss_telemetry_events_raw")
QUARANTINE = TableRef("purina", "prod_telemetry", "oss_telemetry_events_quarantine")

# Fixed, not derived from today's date: definitions must not change with the clock.
TELEMETRY_START_DATE = "2024-01-01"
daily_partitions = dg.DailyPartitionsDefinition(start_date=TELEMETRY_START_DATE)


def _spec(table: TableRef, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        table.asset_key,
        description=description,
        group_name="telemetry_ingestion",
        owners=location("telemetry").owners,
        kinds={"python"},
        metadata={"partition_column": "event_date"},
    )


@dg.multi_asset(
    specs=[
        _spec(RAW_EVENTS, "Valid OSS telemetry events, one partition per daily file, as sent."),
        _spec(
            QUARANTINE, "Telemetry lines that could not be loaded: file, line, problem, raw text."
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
)
def oss_telemetry_events(
    context: dg.AssetExecutionContext, warehouse: Warehouse, telemetry_files: TelemetryFiles
):
    days = [dt.date.fromisoformat(key) for key in context.partition_keys]
    totals = {"rows_loaded": 0, "rows_quarantined": 0, "lines": 0, "bytes": 0}
    for index, day in enumerate(days, start=1):
        path = telemetry_files.path_for(day)
        if not path.is_file():
            raise dg.Failure(
                description=f"Partition {day}: telemetry file {path} does not exist.",
                metadata={"partition": str(day), "file": str(path)},
            )
        try:
            lines = read_lines(path)
        except UnreadableFile as error:
            raise dg.Failure(
                description=f"Partition {day}: {error} The partition keeps its previous rows.",
                metadata={"partition": str(day), "file": str(path)},
            ) from error
        parsed = parse_lines(lines, event_date=day, source_file=str(path))
        partition = Partition("event_date", day)
        warehouse.replace(RAW_EVENTS, parsed.valid, partition)
        warehouse.replace(QUARANTINE, parsed.quarantined, partition)
        size = path.stat().st_size
        totals["rows_loaded"] += parsed.valid.num_rows
        totals["rows_quarantined"] += parsed.quarantined.num_rows
        totals["lines"] += parsed.lines
        totals["bytes"] += size
        context.log.info(
            f"[{index}/{len(days)}] {day}: {parsed.valid.num_rows} rows loaded, "
            f"{parsed.quarantined.num_rows} quarantined, {parsed.blank_lines} blank lines "
            f"({size / 1e6:.1f} MB gzip, {path.name})"
        )
    rate = totals["rows_quarantined"] / max(totals["lines"], 1)
    file_label = (
        str(telemetry_files.path_for(days[0]))
        if len(days) == 1
        else (f"{telemetry_files.folder()} ({days[0]}..{days[-1]}, {len(days)} files)")
    )
    yield dg.MaterializeResult(
        asset_key=RAW_EVENTS.asset_key,
        metadata={
            "dagster/row_count": totals["rows_loaded"],
            "rows_loaded": totals["rows_loaded"],
            "rows_quarantined": totals["rows_quarantined"],
            "quarantine_rate": round(rate, 6),
            "lines_read": totals["lines"],
            "bytes_read": totals["bytes"],
            "file": file_label,
            "dagster/table_name": RAW_EVENTS.physical(),
        },
    )
    yield dg.MaterializeResult(
        asset_key=QUARANTINE.asset_key,
        metadata={
            "dagster/row_count": totals["rows_quarantined"],
            "dagster/table_name": QUARANTINE.physical(),
        },
    )
