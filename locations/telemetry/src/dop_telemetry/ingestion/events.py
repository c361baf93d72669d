"""Raw OSS telemetry: one daily partition per source file, quarantining broken lines.

Each partition is replaced in one transaction (delete the day, insert the day),
so re-running a day never duplicates events and a failed run leaves the day as
it was. Lines that are not JSON objects go, with their file, line number and raw
text, to a quarantine table instead of failing the run; a file whose objects
drifted from the telemetry contract, a missing file or a truncated gzip fail the
partition, naming the file. The same code reads local files and GCS objects.
"""

import datetime as dt
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import dagster as dg

from dop_shared.locations import location
from dop_shared.warehouse import Partition, TableRef, Warehouse
from dop_telemetry.ingestion.files import TelemetryFiles
from dop_telemetry.ingestion.parse import SchemaDrift, UnreadableFile, parse_file

RAW_EVENTS = TableRef("purina", "prod_telemetry", "oss_telemetry_events_raw")
QUARANTINE = TableRef("purina", "prod_telemetry", "oss_telemetry_events_quarantine")

# Share of a partition's lines quarantined above which the data is suspect (warn) or
# the producer is clearly broken (fail). Generated data has about 0.1%.
QUARANTINE_WARN_RATE = 0.01
QUARANTINE_FAIL_RATE = 0.05

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


def _read_day(files: TelemetryFiles, day: dt.date, source: str):
    """Parsed lines of one day's file and its size, or a Failure naming file and partition."""

    def fail(problem: str, **extra) -> dg.Failure:
        return dg.Failure(
            description=f"Partition {day}: {problem} Nothing of it was loaded; the partition "
            "keeps its previous rows.",
            metadata={"partition": str(day), "file": source, **extra},
        )

    try:
        with files.open_day(day) as path:
            size = path.stat().st_size
            return parse_file(path, event_date=day, source_file=source), size
    except FileNotFoundError as error:
        raise fail(f"telemetry file {error}.") from error
    except UnreadableFile as error:
        raise fail(str(error)) from error
    except SchemaDrift as drift:
        raise fail(
            f"schema drift in {source}: {drift}. Update the telemetry contract "
            "(dop_telemetry.ingestion.parse.CONTRACT) and the raw table, or fix the producer.",
            drift=str(drift),
        ) from drift


def _read_ahead(files: TelemetryFiles, days: list[dt.date], ahead: int = 1):
    """(day, source, parsed) in order, parsing the next day while the caller writes this
    one: DuckDB releases the GIL, so reading and writing overlap on two cores. At most
    `ahead` + 1 days are held in memory, whatever the length of a backfill."""
    with ThreadPoolExecutor(max_workers=ahead + 1, thread_name_prefix="telemetry-read") as pool:
        pending: deque = deque()
        for day in days:
            source = files.location_of(day)
            pending.append((day, source, pool.submit(_read_day, files, day, source)))
            if len(pending) > ahead:
                day_, source_, future = pending.popleft()
                yield day_, source_, future.result()
        while pending:
            day_, source_, future = pending.popleft()
            yield day_, source_, future.result()


@dg.multi_asset(
    specs=[
        _spec(RAW_EVENTS, "Valid OSS telemetry events, one partition per daily file, as sent."),
        _spec(
            QUARANTINE, "Telemetry lines that could not be loaded: file, line, problem, raw text."
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "quarantine_rate",
            asset=RAW_EVENTS.asset_key,
            description=(
                f"Worst share of quarantined lines among the partitions of the run: warns above "
                f"{QUARANTINE_WARN_RATE:.1%}, fails above {QUARANTINE_FAIL_RATE:.0%}."
            ),
        )
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
    worst_day, worst_rate = days[0], 0.0
    for index, (day, source, (parsed, size)) in enumerate(
        _read_ahead(telemetry_files, days), start=1
    ):
        partition = Partition("event_date", day)
        # rows and quarantine of the day land together, or neither does
        warehouse.replace_many(
            [(RAW_EVENTS, parsed.valid, partition), (QUARANTINE, parsed.quarantined, partition)]
        )
        totals["rows_loaded"] += parsed.valid.num_rows
        totals["rows_quarantined"] += parsed.quarantined.num_rows
        totals["lines"] += parsed.lines
        totals["bytes"] += size
        day_rate = parsed.quarantined.num_rows / max(parsed.lines - parsed.blank_lines, 1)
        if day_rate >= worst_rate:
            worst_day, worst_rate = day, day_rate
        context.log.info(
            f"[{index}/{len(days)}] {day}: {parsed.valid.num_rows} rows loaded, "
            f"{parsed.quarantined.num_rows} quarantined, {parsed.blank_lines} blank lines "
            f"({size / 1e6:.1f} MB gzip, {source})"
        )
    rate = totals["rows_quarantined"] / max(totals["lines"], 1)
    file_label = telemetry_files.location_of(days[0])
    if len(days) > 1:
        file_label = f"{file_label} .. {telemetry_files.location_of(days[-1])} ({len(days)} files)"
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
            "partitions": f"{days[0]}..{days[-1]}" if len(days) > 1 else str(days[0]),
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
    yield dg.AssetCheckResult(
        check_name="quarantine_rate",
        asset_key=RAW_EVENTS.asset_key,
        passed=worst_rate <= QUARANTINE_WARN_RATE,
        severity=(
            dg.AssetCheckSeverity.ERROR
            if worst_rate > QUARANTINE_FAIL_RATE
            else dg.AssetCheckSeverity.WARN
        ),
        metadata={"worst_partition": str(worst_day), "worst_rate": round(worst_rate, 6)},
    )
