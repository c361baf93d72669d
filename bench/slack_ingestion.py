"""Slack member analytics ingestion throughput, as a ratio measured in one run.

30 daily files of ~50,000 members each (generated), loaded by the real asset (contract
checks, quarantine, e-mail replaced by its salted hash, idempotent daily partitions),
rows/s divided by bare DuckDB `read_json` over the same files into memory (the floor
telemetry uses too), read before and after each run.
One warm-up run, then five repetitions: median and spread.

Usage: uv run python bench/slack_ingestion.py [--members 50000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("DO_NOT_TRACK", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from telemetry_ingestion import _bare_read_json  # noqa: E402 (the same floor)

END = dt.date(2026, 6, 30)


def _generate(root: Path, members: int) -> list[Path]:
    from dop_devtools.sample_data import SampleDataSpec, generate
    from dop_devtools.sample_data.slack import BASE_MEMBERS
    from dop_shared.paths import SLACK_ANALYTICS_DIR

    folder = root / "sources" / SLACK_ANALYTICS_DIR
    if len(list(folder.glob("*.json.gz"))) != 30:
        spec = SampleDataSpec(seed=5, days=30, scale=members / BASE_MEMBERS / 1.2, end_date=END)
        print(f"  generating 30 days of ~{members:,} members...", flush=True)
        generate(spec, root / "sources", only=("slack",))
    return sorted(folder.glob("*.json.gz"))


def _ingest(root: Path, first: str, last: str) -> tuple[int, float]:
    import dagster as dg

    from dop_reporting.slack.member_analytics import slack_member_analytics
    from dop_reporting.slack.privacy import EmailHashing
    from dop_reporting.slack.sources import LocalSlackAnalyticsFiles
    from dop_shared.warehouse import DuckDBWarehouse

    os.environ["DOP_DATA_DIR"] = str(root)
    for file in (root / "warehouse").glob("*.duckdb*"):
        file.unlink()
    result = dg.materialize(
        [slack_member_analytics],
        resources={
            "warehouse": DuckDBWarehouse(),
            "slack_files": LocalSlackAnalyticsFiles(),
            "email_hashing": EmailHashing(),
        },
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    [step] = [e for e in result.get_step_success_events() if e.step_key == "slack_member_analytics"]
    rows = sum(  # each partition's materialization carries that day's own row count
        m.metadata["dagster/row_count"].value
        for m in result.asset_materializations_for_node("slack_member_analytics")
        if m.asset_key.path[-1] == "slack_member_analytics"
    )
    return rows, step.event_specific_data.duration_ms / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dop-bench/slack"))
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = _generate(args.work, args.members)
    (args.work / "warehouse").mkdir(parents=True, exist_ok=True)
    ratios = []
    # one run first, not counted: the first one in a process also pays for imports and a
    # cold page cache, which no later run (and no real daily run) does
    _ingest(args.work, files[0].name[:10], files[-1].name[:10])
    bare_seconds, bare_rows = _bare_read_json(files, ":memory:")
    for attempt in range(1, args.repeat + 1):
        rows, seconds = _ingest(args.work, files[0].name[:10], files[-1].name[:10])
        # the floor read just before and just after this run: the machine's speed drifts
        # (a shared VM), and their mean is what the floor was while the asset ran
        after, _ = _bare_read_json(files, ":memory:")
        floor = (bare_seconds + after) / 2
        ratio = (rows / seconds) / (bare_rows / floor)
        ratios.append(ratio)
        print(
            f"run {attempt}: asset {rows:,} rows in {seconds:.1f}s; bare read_json "
            f"{bare_rows:,} rows in {bare_seconds:.1f}s before, {after:.1f}s after; "
            f"ratio {ratio:.2f}x",
            flush=True,
        )
        bare_seconds = after
    print(
        f"Slack ingestion vs bare read_json into memory: median {statistics.median(ratios):.2f}x "
        f"[{min(ratios):.2f} .. {max(ratios):.2f}] over {len(ratios)} runs (target >= 0.6x)"
    )


if __name__ == "__main__":
    main()
