"""Raw OSS telemetry: one daily partition per source file, quarantining broken lines.

Each partition is replaced in one transaction (delete the day, insert the day),
so re-running a day never duplicates events and a failed run leaves the day as
it was. Lines that break the telemetry contract go, with their file, line number,
reason and raw text, to a quarantine table instead of failing the run; fields the
contract does not know yet are kept and reported (see parse.py). Only a missing
file, a truncated gzip or a file without one telemetry line fail the partition,
naming the file. The same code reads local files and GCS objects.
"""

import datetime as dt
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import dagster as dg

from dop_shared.locations import location
from dop_shared.run_metadata import partition_figures
from dop_shared.warehouse import Partition, StagedWrite, StagingArea, TableRef, Warehouse
from dop_telemetry.ingestion import parse
from dop_telemetry.ingestion.files import TelemetryFiles

RAW_EVENTS = TableRef("purina", "prod_telemetry", "oss_telemetry_events_raw")
QUARANTINE = TableRef("purina", "prod_telemetry", "oss_telemetry_events_quarantine")

# Share of a partition's lines quarantined above which the data is suspect (warn) or
# the producer is clearly broken (fail). Generated data has about 0.1%.
QUARANTINE_WARN_RATE = 0.01
QUARANTINE_FAIL_RATE = 0.05

# Days loaded at once. A day is one gzip stream, read by one thread, so days are the
# unit of parallelism: one per core (one more bought no speed in bench/). Each day in
# flight holds its lines in the staging area, so this also bounds memory.
LOAD_WORKERS = min(4, os.cpu_count() or 1)

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


@dataclass(frozen=True)
class DayLoad:
    day: dt.date
    source: str
    size: int
    lines: int
    loaded: int
    quarantined: int
    problems: dict[str, int]
    unknown_fields: dict[str, int]

    @property
    def blank_lines(self) -> int:
        return self.lines - self.loaded - self.quarantined

    @property
    def quarantine_rate(self) -> float:
        return self.quarantined / max(self.lines - self.blank_lines, 1)


def _load_day(staging: StagingArea, files: TelemetryFiles, day: dt.date) -> DayLoad:
    """Replace one day's partition (rows and quarantine together), or fail naming the file
    and the partition and leave the partition as it was."""
    source = files.location_of(day)

    def fail(problem: str, **extra) -> dg.Failure:
        return dg.Failure(
            description=f"Partition {day}: {problem} Nothing of it was loaded; the partition "
            "keeps its previous rows.",
            metadata={"partition": str(day), "file": source, **extra},
        )

    partition = Partition("event_date", day)
    params = {
        "event_date": day,
        "source_file": source,
        "loaded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }
    try:
        with files.open_day(day) as path, staging.connection() as conn:
            size = path.stat().st_size
            staged = parse.stage_file(conn, path)
            loaded, quarantined = staging.publish(
                conn,
                [
                    StagedWrite(RAW_EVENTS, parse.VALID_ROWS, params, partition),
                    StagedWrite(QUARANTINE, parse.QUARANTINED_LINES, params, partition),
                ],
            )
    except FileNotFoundError as error:
        raise fail(f"telemetry file {error}.") from error
    except (parse.UnreadableFile, parse.NotTelemetry) as error:
        raise fail(str(error)) from error
    return DayLoad(
        day,
        source,
        size,
        staged.lines,
        loaded,
        quarantined,
        staged.problems,
        staged.unknown_fields,
    )


def _in_order(load: Callable[[dt.date], DayLoad], days: list[dt.date]) -> Iterator[DayLoad]:
    """load(day) for every day, LOAD_WORKERS at a time, yielded in day order. At the first
    failure no further day starts (days already running finish: each is atomic)."""
    with ThreadPoolExecutor(LOAD_WORKERS, thread_name_prefix="telemetry-load") as pool:
        pending: deque = deque()
        try:
            for day in days:
                pending.append(pool.submit(load, day))
                if len(pending) >= LOAD_WORKERS:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


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
        ),
        dg.AssetCheckSpec(
            "known_fields",
            asset=RAW_EVENTS.asset_key,
            description=(
                "Warns when clients send a field the telemetry contract does not know yet "
                "(a new Dagster release, say): its values are kept in extra_fields, but the "
                "contract (dop_telemetry.ingestion.contract) should name and type it."
            ),
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
    worst_day, worst_rate = days[0], 0.0
    per_day: list[dict] = []
    unknown_fields: Counter[str] = Counter()
    unknown_days: dict[str, list[str]] = {}
    problems: Counter[str] = Counter()
    with warehouse.staging() as staging:
        loads = _in_order(lambda day: _load_day(staging, telemetry_files, day), days)
        for index, load in enumerate(loads, start=1):
            totals["rows_loaded"] += load.loaded
            totals["rows_quarantined"] += load.quarantined
            totals["lines"] += load.lines
            totals["bytes"] += load.size
            if load.quarantine_rate >= worst_rate:
                worst_day, worst_rate = load.day, load.quarantine_rate
            unknown_fields.update(load.unknown_fields)
            for field in load.unknown_fields:
                unknown_days.setdefault(field, []).append(str(load.day))
            problems.update(load.problems)
            per_day.append(
                {
                    "partition": str(load.day),
                    "rows_loaded": load.loaded,
                    "rows_quarantined": load.quarantined,
                    "bytes": load.size,
                    "file": load.source,
                }
            )
            context.log.info(
                f"[{index}/{len(days)}] {load.day}: {load.loaded} rows loaded, "
                f"{load.quarantined} quarantined, {load.blank_lines} blank lines "
                f"({load.size / 1e6:.1f} MB gzip, {load.source})"
                + "".join(
                    f"; unknown field {name!r} in {count} lines"
                    for name, count in load.unknown_fields.items()
                )
            )
    rate = totals["rows_quarantined"] / max(totals["lines"], 1)
    first, last = per_day[0]["file"], per_day[-1]["file"]
    single = len(days) == 1
    raw_metadata = {
        "rows_loaded": totals["rows_loaded"],
        "rows_quarantined": totals["rows_quarantined"],
        "quarantine_rate": round(rate, 6),
        "lines_read": totals["lines"],
        "bytes_read": totals["bytes"],
        "file": first if single else f"{first} .. {last} ({len(days)} files)",
        "partitions": str(days[0]) if single else f"{days[0]}..{days[-1]}",
        "dagster/table_name": RAW_EVENTS.physical(),
        # field the contract does not know -> lines carrying it (kept in extra_fields)
        "unknown_fields": dict(sorted(unknown_fields.items())),
        # why lines were quarantined -> lines (the most frequent reasons of each day)
        "quarantine_reasons": dict(problems.most_common()),
        **partition_figures(per_day, rows="rows_loaded"),
    }
    quarantine_metadata: dict = {"dagster/table_name": QUARANTINE.physical()}
    if single:
        quarantine_metadata["dagster/row_count"] = totals["rows_quarantined"]
    yield dg.MaterializeResult(asset_key=RAW_EVENTS.asset_key, metadata=raw_metadata)
    yield dg.MaterializeResult(asset_key=QUARANTINE.asset_key, metadata=quarantine_metadata)
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
    yield dg.AssetCheckResult(
        check_name="known_fields",
        asset_key=RAW_EVENTS.asset_key,
        passed=not unknown_fields,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            "Fields not in the contract: "
            + ", ".join(
                f"{name!r} ({count} lines)" for name, count in sorted(unknown_fields.items())
            )
            if unknown_fields
            else "Every field sent is in the contract."
        ),
        metadata={
            "unknown_fields": dict(sorted(unknown_fields.items())),
            "partitions": {name: ", ".join(days) for name, days in unknown_days.items()},
        },
    )
