"""Daily partitions of a JSON-lines feed: one gzip file a day, loaded atomically.

Shared by every feed that arrives as a file a day (OSS telemetry, Slack's member
analytics). Each partition is replaced in one transaction (delete the day, insert the
day, rows and quarantine together), so re-running a day never duplicates rows and a
failed day keeps its previous rows. Lines are judged by the feed's contract
(dop_shared.json_lines); only a missing file, a truncated gzip or a file without one
valid line fail the partition, naming the file. Days load in parallel and are reported
in order; a range stops at its first bad day.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import dagster as dg

# what AssetCheckEvaluation's public target_materialization_data takes (not exported)
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData as TargetMaterialization,
)
from pydantic import Field

from dop_shared import paths
from dop_shared.json_lines import JsonLinesParser, NoValidLines, UnreadableFile
from dop_shared.warehouse import (
    Partition,
    StagedWrite,
    StagingArea,
    TableRef,
    Warehouse,
    available_cores,
)

# Share of a partition's lines quarantined above which the data is suspect (warn) or
# the producer is clearly broken (fail).
QUARANTINE_WARN_RATE = 0.01
QUARANTINE_FAIL_RATE = 0.05

# Days loaded at once, at most (and never more than the cores the process may use, see
# warehouse.available_cores). A day is one gzip stream, read by one thread, so days are
# the unit of parallelism: one per core (one more bought no speed in bench/). Each day
# in flight holds its lines in the staging area, so this also bounds memory.
LOAD_WORKERS = 4
# How far loading may run ahead of the oldest day not yet done, in rounds of LOAD_WORKERS
# days. A day done early holds only its figures; the bound is on the days a failing
# earlier day leaves loaded but unreported (the run fails at the earlier day).
LOOKAHEAD = 2


def load_workers(day_count: int) -> int:
    """How many of `day_count` days load at once: LOAD_WORKERS at most, one per core the
    process may use."""
    return max(1, min(LOAD_WORKERS, available_cores(), day_count))


def file_name(day: dt.date) -> str:
    return f"{day.isoformat()}.json.gz"


class DailyFiles(dg.ConfigurableResource):
    """Where a feed's daily gzip JSON-lines files come from. Every implementation hands
    the ingestion a local path (downloading first if it must), so parsing, quarantine
    and the write are one code path; a day without a file is a FileNotFoundError that
    says where it was looked for."""

    def location_of(self, day: dt.date) -> str:
        raise NotImplementedError

    def open_day(self, day: dt.date) -> contextlib.AbstractContextManager[Path]:
        raise NotImplementedError


class LocalDailyFiles(DailyFiles):
    """<folder>/<YYYY-MM-DD>.json.gz; by default the feed's folder under the local
    sources (SOURCE_DIR, relative to dop_shared.paths.sources_dir())."""

    SOURCE_DIR: ClassVar[Path]
    root: str | None = Field(
        default=None, description="Folder of the daily files; default: the local sample's."
    )

    def folder(self) -> Path:
        return Path(self.root) if self.root else paths.sources_dir() / self.SOURCE_DIR

    def location_of(self, day: dt.date) -> str:
        return str(self.folder() / file_name(day))

    @contextlib.contextmanager
    def open_day(self, day: dt.date) -> Iterator[Path]:
        path = Path(self.location_of(day))
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist")
        yield path


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


@dataclass(frozen=True)
class DailyJsonLinesFeed:
    """A feed's contract and the two tables it lands in."""

    parser: JsonLinesParser
    raw: TableRef
    quarantine: TableRef

    @property
    def partition_column(self) -> str:
        return self.parser.contract.partition_column

    def multi_asset(
        self,
        *,
        name: str,
        partitions_def: dg.PartitionsDefinition,
        raw: str,
        quarantine: str,
        group_name: str,
        owners,
        kinds: set[str],
        contract_home: str,
    ):
        """The decorator of the feed's asset, whose body calls `ingest`: the raw table and
        its quarantine (these descriptions), their per-day checks, one run per range.
        Subsettable only so that Dagster takes check results logged per day rather than
        returned (see `ingest`); both tables always load together."""
        return dg.multi_asset(
            name=name,
            specs=self._asset_specs(raw, quarantine, group_name, owners, kinds),
            check_specs=self._check_specs(contract_home, partitions_def),
            partitions_def=partitions_def,
            backfill_policy=dg.BackfillPolicy.single_run(),
            can_subset=True,
        )

    def _asset_specs(
        self, raw: str, quarantine: str, group_name: str, owners, kinds: set[str]
    ) -> list[dg.AssetSpec]:
        return [
            dg.AssetSpec(
                table.asset_key,
                description=description,
                group_name=group_name,
                owners=owners,
                kinds=kinds,
                metadata={
                    "partition_column": self.partition_column,
                    "dagster/column_schema": self.column_schema(table),
                },
            )
            for table, description in ((self.raw, raw), (self.quarantine, quarantine))
        ]

    def column_schema(self, table: TableRef) -> dg.TableSchema:
        """The raw table's or the quarantine's columns, from the contract (the asset's
        metadata: the asset page shows it before anything is loaded)."""
        contract = self.parser.contract
        day = dg.TableColumn(
            contract.partition_column, "date", "Day of the file the line came from."
        )
        loaded_at = dg.TableColumn("_loaded_at", "timestamp", "When the line was loaded.")
        if table == self.quarantine:
            columns = [
                day,
                dg.TableColumn("source_file", "varchar", "File the line came from."),
                dg.TableColumn("line_number", "bigint", "Its line number, from 1."),
                dg.TableColumn("problem", "varchar", "Why it was not loaded."),
                dg.TableColumn(
                    "raw_text", "varchar", "The line as read, fields never kept masked."
                ),
                loaded_at,
            ]
        else:
            columns = [
                *(
                    dg.TableColumn(f.name, f.column_type.lower(), f.description)
                    if not f.drop
                    else dg.TableColumn(
                        f.hashed_as,
                        "varchar",
                        f"Salted SHA-256 of {f.name}; the value itself is never stored.",
                    )
                    for f in contract.fields
                    if not f.drop or f.hashed_as
                ),
                dg.TableColumn(
                    contract.extra_column,
                    "varchar",
                    "Fields the contract does not know yet, with their values (JSON).",
                ),
                day,
                dg.TableColumn("_source_file", "varchar", "File the line came from."),
                dg.TableColumn("_line_number", "bigint", "Its line number, from 1."),
                loaded_at,
            ]
        return dg.TableSchema(columns=columns)

    def _check_specs(
        self, contract_home: str, partitions_def: dg.PartitionsDefinition
    ) -> list[dg.AssetCheckSpec]:
        """The raw table's checks, partitioned like it: each day is judged alone, so the UI
        shows which day failed and which passed."""
        noun = self.parser.contract.noun
        # Partitioned checks are a preview of Dagster 1.13; pinned here, said once, here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dg.PreviewWarning)
            return [
                dg.AssetCheckSpec(
                    "quarantine_rate",
                    asset=self.raw.asset_key,
                    partitions_def=partitions_def,
                    description=(
                        f"Share of the day's lines quarantined: warns above "
                        f"{QUARANTINE_WARN_RATE:.1%}, fails above {QUARANTINE_FAIL_RATE:.0%}."
                    ),
                ),
                dg.AssetCheckSpec(
                    "known_fields",
                    asset=self.raw.asset_key,
                    partitions_def=partitions_def,
                    description=(
                        f"Warns when a day's {noun}s carry a field the contract does not know "
                        f"yet (a new producer release, say): its values are kept in "
                        f"extra_fields, but the contract ({contract_home}) should name and "
                        f"type it."
                    ),
                ),
            ]

    def _load_day(
        self, staging: StagingArea, files, day: dt.date, hash_salt: str | None
    ) -> DayLoad:
        source = files.location_of(day)

        def fail(problem: str) -> dg.Failure:
            return dg.Failure(
                description=f"Partition {day}: {problem} Nothing of it was loaded; the "
                "partition keeps its previous rows.",
                metadata={"partition": str(day), "file": source},
            )

        partition = Partition(self.partition_column, day)
        params = {
            "partition": day,
            "source_file": source,
            "loaded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        }
        try:
            with files.open_day(day) as path, staging.connection() as conn:
                size = path.stat().st_size
                staged = self.parser.stage(conn, path)
                loaded, quarantined = staging.publish(
                    conn,
                    [
                        StagedWrite(
                            self.raw,
                            self.parser.valid_rows,
                            params | self.parser.valid_row_params(hash_salt),
                            partition,
                            uncompressed=self.parser.contract.hash_columns,
                        ),
                        StagedWrite(
                            self.quarantine, self.parser.quarantined_lines, params, partition
                        ),
                    ],
                )
        except FileNotFoundError as error:
            raise fail(f"file {error}.") from error
        except (UnreadableFile, NoValidLines) as error:
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

    def ingest(
        self,
        context: dg.AssetExecutionContext,
        warehouse: Warehouse,
        files,
        hash_salt: str | None = None,
    ) -> Iterator[dg.MaterializeResult]:
        """Load every partition of the run; the raw table's and the quarantine's
        materializations, then each day's quarantine-rate and known-fields checks.
        `hash_salt` salts the fields the contract keeps only as a hash."""
        if not context.selected_asset_keys:
            raise dg.Failure(
                description=f"The checks of {self.raw.asset_key.to_user_string()} are judged "
                "as its files load: materialize the asset to run them."
            )
        days = [dt.date.fromisoformat(key) for key in context.partition_keys]
        # Where the rows go, first: a deployment that cannot name its tables (a branch
        # without a valid pull request id) fails here, before reading any source.
        self.raw.physical(), self.quarantine.physical()
        self.parser.valid_row_params(hash_salt)  # a missing salt fails before any read
        workers = load_workers(len(days))
        context.log.info(
            f"Loading {len(days)} day(s), {workers} at a time ({available_cores()} cores)."
        )
        with warehouse.staging() as staging:
            staging.share_cores(workers)
            loads = []
            load_day = functools.partial(self._load_day, staging, files, hash_salt=hash_salt)
            for index, load in enumerate(_in_order(load_day, days, workers), start=1):
                loads.append(load)
                context.log.info(
                    f"[{index}/{len(days)}] {load.day}: {load.loaded} rows loaded, "
                    f"{load.quarantined} quarantined, {load.blank_lines} blank lines "
                    f"({load.size / 1e6:.1f} MB gzip, {load.source})"
                    + "".join(
                        f"; unknown field {name!r} in {count} lines"
                        for name, count in load.unknown_fields.items()
                    )
                )
        yield from self._results(context, loads)

    def _results(self, context: dg.AssetExecutionContext, loads: list[DayLoad]):
        """Each day's figures on that day's materialization (a range run records one per
        day, and metadata of the result itself would land on all of them), then each
        day's checks. The two tables are written in one transaction, so a run that
        selected only one of them still records the other's materializations."""
        selected = set(context.selected_asset_keys)
        for load in loads:
            partition = str(load.day)
            figures = {
                self.raw: {
                    "dagster/row_count": load.loaded,
                    "rows_quarantined": load.quarantined,
                    "quarantine_rate": round(load.quarantine_rate, 6),
                    "lines_read": load.lines,
                    "bytes_read": load.size,
                    "file": load.source,
                    # field the contract does not know -> lines carrying it (in extra_fields)
                    "unknown_fields": dict(sorted(load.unknown_fields.items())),
                    # why lines were quarantined -> lines (the most frequent reasons)
                    "quarantine_reasons": dict(Counter(load.problems).most_common()),
                },
                self.quarantine: {"dagster/row_count": load.quarantined},
            }
            for table, metadata in figures.items():
                if table.asset_key in selected:
                    context.add_asset_metadata(
                        metadata, asset_key=table.asset_key, partition_key=partition
                    )
                else:
                    context.log_event(
                        dg.AssetMaterialization(
                            table.asset_key,
                            partition=partition,
                            metadata={**metadata, **self._table_metadata(table)},
                        )
                    )
        for table in (self.raw, self.quarantine):
            if table.asset_key in selected:
                yield dg.MaterializeResult(
                    asset_key=table.asset_key, metadata=self._table_metadata(table)
                )
        # Each day's checks, after its materialization: a range run judges every day alone.
        selected = set(context.selected_asset_check_keys)
        targets = self._materializations_of(context, [str(load.day) for load in loads])
        for load in loads:
            for evaluation in self._check_evaluations(load, targets.get(str(load.day))):
                if dg.AssetCheckKey(evaluation.asset_key, evaluation.check_name) in selected:
                    context.log_event(evaluation)

    def _materializations_of(
        self, context: dg.AssetExecutionContext, partitions: list[str]
    ) -> dict[str, TargetMaterialization]:
        """The raw table's latest materialization of each day (this run's): a check result
        naming it is that day's current status in the UI. Dagster looks it up this way for
        an AssetCheckResult, which cannot name a partition of a range run."""
        records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=self.raw.asset_key, asset_partitions=partitions),
            limit=len(partitions),
        ).records
        latest: dict[str, TargetMaterialization] = {}
        for record in records:  # newest first
            latest.setdefault(
                str(record.partition_key),
                TargetMaterialization(
                    run_id=record.run_id, storage_id=record.storage_id, timestamp=record.timestamp
                ),
            )
        return latest

    def _table_metadata(self, table: TableRef) -> dict:
        # The column schema is the asset's (its spec, from the contract), not repeated on
        # every day's materialization: it was 85% of each one's size, and a 30-day range
        # records 60 of them.
        return {"dagster/table_name": table.physical()}

    def _check_evaluations(
        self, load: DayLoad, target: TargetMaterialization | None
    ) -> list[dg.AssetCheckEvaluation]:
        rate = load.quarantine_rate
        unknown = dict(sorted(load.unknown_fields.items()))
        return [
            dg.AssetCheckEvaluation(
                asset_key=self.raw.asset_key,
                check_name="quarantine_rate",
                partition=str(load.day),
                target_materialization_data=target,
                passed=rate <= QUARANTINE_WARN_RATE,
                severity=(
                    dg.AssetCheckSeverity.ERROR
                    if rate > QUARANTINE_FAIL_RATE
                    else dg.AssetCheckSeverity.WARN
                ),
                description=f"{load.quarantined} of {load.lines - load.blank_lines} lines "
                f"quarantined ({rate:.2%}).",
                metadata={
                    "quarantine_rate": round(rate, 6),
                    "rows_quarantined": load.quarantined,
                    "quarantine_reasons": dict(Counter(load.problems).most_common()),
                },
            ),
            dg.AssetCheckEvaluation(
                asset_key=self.raw.asset_key,
                check_name="known_fields",
                partition=str(load.day),
                target_materialization_data=target,
                passed=not unknown,
                severity=dg.AssetCheckSeverity.WARN,
                description=(
                    "Fields not in the contract: "
                    + ", ".join(f"{name!r} ({count} lines)" for name, count in unknown.items())
                    if unknown
                    else "Every field sent is in the contract."
                ),
                metadata={"unknown_fields": unknown},
            ),
        ]


def _in_order(
    load: Callable[[dt.date], DayLoad], days: list[dt.date], workers: int
) -> Iterator[DayLoad]:
    """load(day) for every day, `workers` at a time, yielded in day order. A worker takes
    the next day as soon as its own is done, not when the oldest is (days differ in
    length), up to LOOKAHEAD rounds of `workers` days past the oldest not yet yielded.
    Once any day has failed no further day starts (days already running finish: each is
    atomic)."""
    workers = max(workers, 1)
    with ThreadPoolExecutor(workers, thread_name_prefix="daily-load") as pool:
        running: dict[int, Future] = {}
        submitted = 0  # days handed to the pool
        try:
            for index in range(len(days)):
                while True:
                    failed = any(f.done() and f.exception() is not None for f in running.values())
                    pending = [f for f in running.values() if not f.done()]
                    if (
                        not failed
                        and submitted < len(days)
                        and len(pending) < workers
                        and submitted < index + workers * LOOKAHEAD
                    ):
                        running[submitted] = pool.submit(load, days[submitted])
                        submitted += 1
                        continue
                    if running[index].done():
                        break
                    # a day done after `pending` was listed ends this wait at once
                    wait(pending, return_when=FIRST_COMPLETED)
                yield running.pop(index).result()
        finally:
            for future in running.values():
                future.cancel()
