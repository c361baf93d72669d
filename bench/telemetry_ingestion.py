"""Figures of the telemetry pipeline, printed as ratios measured in one run.

P2  ingestion rows/s (the real asset: read, contract checks, quarantine, idempotent
    partition writes) divided by bare DuckDB `read_json` over the same files into a
    table: into memory, and into a DuckDB file (the storage the asset writes to). The
    asset's time is its step's (Dagster's STEP_SUCCESS duration); the whole run, with
    Dagster's own start-up, is printed beside it.
P4  wall time of one daily partition (ingestion + its dbt build) with 365 days of
    history loaded, divided by the same partition with 30 days loaded.
MEM peak resident memory of a process ingesting N events (default 10M).

Usage: uv run python bench/telemetry_ingestion.py [--p2-events N] [--p4] [--memory-events N]
Generated data is cached under --work (default /tmp/dop-bench) between runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DO_NOT_TRACK", "1")
END = dt.date(2026, 6, 30)  # fixed: cached data stays valid, and all history is kept
EVENTS_PER_SCALE_DAY = 2300  # roughly, at large scales (heavy-tailed: grows with the scale)


def _lines(files: list[Path]) -> int:
    import duckdb

    with duckdb.connect() as conn:
        conn.execute("set enable_progress_bar = false")
        return conn.execute(
            "select count(*) from read_csv(?, columns = {'l': 'VARCHAR'}, delim = '\x01', "
            "quote = '', escape = '', header = false, auto_detect = false, ignore_errors = true)",
            [[str(f) for f in files]],
        ).fetchone()[0]


def _generate(root: Path, days: int, events: int) -> list[Path]:
    """`days` daily files holding about `events` events (within 10%), cached under root.
    Volume is heavy-tailed in the scale, so the first guess is corrected once."""
    from dop_devtools.sample_data import SampleDataSpec, generate
    from dop_shared.paths import TELEMETRY_EVENTS_DIR

    folder = root / "sources" / TELEMETRY_EVENTS_DIR
    stamp = root / "generator"  # data of an older generator is made again
    current = _generator_version()
    if stamp.exists() and stamp.read_text() != current:
        shutil.rmtree(folder, ignore_errors=True)
    if folder.exists() and len(list(folder.glob("*.json.gz"))) == days:
        return sorted(folder.glob("*.json.gz"))
    scale = events / (EVENTS_PER_SCALE_DAY * days)
    for _attempt in range(2):
        spec = SampleDataSpec(seed=5, days=days, scale=scale, end_date=END)
        print(f"  generating {days} days, ~{events:,} events (scale {scale:.1f})...", flush=True)
        generate(spec, root / "sources", only=("prod_telemetry",), progress=True)
        files = sorted(folder.glob("*.json.gz"))
        made = _lines(files)
        if abs(made - events) <= 0.1 * events:
            break
        scale *= events / made
    stamp.write_text(current)
    return files


def _generator_version() -> str:
    """A digest of the telemetry generator and contract sources."""
    import hashlib

    from dop_devtools.sample_data import telemetry
    from dop_telemetry.ingestion import contract

    sources = [Path(module.__file__).read_bytes() for module in (telemetry, contract)]
    return hashlib.sha256(b"".join(sources)).hexdigest()[:16]


def _ingest(root: Path, first: str, last: str, with_dbt: bool = False) -> tuple[float, int, float]:
    """One run of the real asset (and optionally its dbt models) over [first, last]."""
    import dagster as dg

    from dop_shared.dbt import location_dbt_assets
    from dop_shared.resources import dbt_resource
    from dop_shared.warehouse import DuckDBWarehouse
    from dop_telemetry.ingestion.events import daily_partitions, oss_telemetry_events
    from dop_telemetry.ingestion.files import LocalTelemetryFiles

    os.environ["DOP_DATA_DIR"] = str(root)
    os.environ["DOP_DATA_WINDOW_DAYS"] = "all"
    assets = [oss_telemetry_events]
    resources = {"warehouse": DuckDBWarehouse(), "telemetry_files": LocalTelemetryFiles()}
    if with_dbt:
        assets.append(
            location_dbt_assets(
                "telemetry",
                sources=("prod_telemetry",),
                partitions_def=daily_partitions,
                name="telemetry_events_dbt_models",
            )
        )
        resources["dbt"] = dbt_resource()
    started = time.perf_counter()
    result = dg.materialize(
        assets,
        resources=resources,
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    seconds = time.perf_counter() - started
    raw = [  # one per partition, all carrying the run's totals
        m
        for m in result.asset_materializations_for_node("oss_telemetry_events")
        if m.asset_key.path[-1] == "oss_telemetry_events_raw"
    ]
    steps = {
        event.step_key: event.event_specific_data.duration_ms / 1000
        for event in result.get_step_success_events()
    }
    # each partition's materialization carries that day's own row count
    rows = sum(m.metadata["dagster/row_count"].value for m in raw)
    return seconds, rows, steps["oss_telemetry_events"]


def _bare_read_json(files: list[Path], database: str) -> tuple[float, int]:
    import duckdb

    started = time.perf_counter()
    with duckdb.connect(database) as conn:
        conn.execute("set enable_progress_bar = false")
        conn.execute(
            "create table t as select * from read_json(?, format = 'newline_delimited', "
            "ignore_errors = true)",
            [[str(f) for f in files]],
        )
        (rows,) = conn.execute("select count(*) from t").fetchone()
    return time.perf_counter() - started, rows


def p2(work: Path, events: int) -> None:
    root = work / f"p2-{events}"
    files = _generate(root, 30, events)
    (root / "warehouse").mkdir(exist_ok=True)
    for file in [*(root / "warehouse").glob("*.duckdb*"), *root.glob("bare.duckdb*")]:
        file.unlink()
    in_memory, bare_rows = _bare_read_json(files, ":memory:")
    in_file, _ = _bare_read_json(files, str(root / "bare.duckdb"))
    first, last = files[0].name[:10], files[-1].name[:10]
    run, rows, step = _ingest(root, first, last)
    print(f"P2 bare read_json into memory: {bare_rows:,} rows in {in_memory:.1f}s")
    print(f"P2 bare read_json into a DuckDB file: {bare_rows:,} rows in {in_file:.1f}s")
    print(
        f"P2 ingestion asset: {rows:,} rows in {step:.1f}s (step), {run:.1f}s (whole run); "
        "incl. contract checks, quarantine and idempotent partition writes"
    )
    for label, bare in (("into memory", in_memory), ("into a DuckDB file", in_file)):
        ratio = (rows / step) / (bare_rows / bare)
        print(f"P2 ratio vs bare read_json {label}: {ratio:.2f}x (target >= 0.6x)")


def p4(work: Path) -> None:
    root = work / "p4"
    files = _generate(root, 365, 365 * 1500)
    days = [f.name[:10] for f in files]
    target = days[-1]
    for file in (root / "warehouse").glob("*.duckdb*") if (root / "warehouse").exists() else []:
        file.unlink()
    _ingest(root, days[-30], days[-1], with_dbt=True)  # 30 days of history
    short, *_ = _ingest(root, target, target, with_dbt=True)
    _ingest(root, days[0], days[-1], with_dbt=True)  # now 365 days
    long, *_ = _ingest(root, target, target, with_dbt=True)
    print(
        f"P4 one daily partition ({target}, ingestion + dbt): {short:.1f}s with 30 days loaded, "
        f"{long:.1f}s with 365 days"
    )
    print(f"P4 ratio: {long / short:.2f}x (target <= 1.2x)")


def memory(work: Path, events: int) -> None:
    root = work / f"mem-{events}"
    files = _generate(root, 30, events)
    code = (
        "import sys; sys.path.insert(0, 'bench');"
        "from telemetry_ingestion import _ingest;"
        f"print(_ingest(__import__('pathlib').Path({str(root)!r}), {files[0].name[:10]!r}, "
        f"{files[-1].name[:10]!r}))"
    )
    for file in (root / "warehouse").glob("*.duckdb*") if (root / "warehouse").exists() else []:
        file.unlink()
    started = time.perf_counter()
    # The peak of this child alone (os.wait4): RUSAGE_CHILDREN would also count earlier
    # children of this process, such as the dbt builds of --p4.
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"the memory run failed (exit {child.returncode})")
    seconds, rows, _ = eval(output.strip().splitlines()[-1])  # noqa: S307 (our own tuple)
    peak = usage.ru_maxrss / 1024**2  # KiB -> GiB
    print(
        f"MEM ingesting {rows:,} events ({len(files)} daily files) took "
        f"{time.perf_counter() - started:.0f}s; peak resident memory {peak:.2f} GiB "
        "(target <= 2 GiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/dop-bench"))
    parser.add_argument("--p2-events", type=int, default=2_000_000)
    parser.add_argument("--p4", action="store_true")
    parser.add_argument("--memory-events", type=int, default=0)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.p2_events:
        p2(args.work, args.p2_events)
    if args.p4:
        p4(args.work)
    if args.memory_events:
        memory(args.work, args.memory_events)


if __name__ == "__main__":
    main()
