"""Cloud product replication figures, measured in one run against a real PostgreSQL.

    uv run python bench/cloud_replication.py            # 1M runs, 3 repetitions
    uv run python bench/cloud_replication.py --runs 200000 --repeat 1

1. Full replication of `runs` (the Dagster asset, dlt into the local DuckDB
   warehouse), rows/s, against a floor measured on the same table in the same run:
   Postgres `COPY (SELECT * FROM runs) TO STDOUT` into a file, loaded by DuckDB.
   Target >= 0.5x.
2. An incremental run after 1% of the rows changed, time divided by the full run's.
   Target <= 0.1x.
3. Peak memory (max RSS) of the process that runs the full replication. Target <= 1 GiB.

The generated database is made once per invocation (its time is printed apart).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS_PER_SCALE = 6_950  # runs of a 30-day history at scale 1 (measured: 930,542 at 133.3)
KEEP_CHANGED = (
    "CREATE TABLE runs_before AS SELECT id, status, updated_at FROM runs WHERE id % 100 = 0"
)
RESTORE_CHANGED = (
    "UPDATE runs SET status = b.status, updated_at = b.updated_at FROM runs_before b "
    "WHERE runs.id = b.id; DROP TABLE runs_before"
)


CLOCK = """\
  How the two runs are timed, alike: each is the `runs` asset materialized by Dagster
  (dg.materialize: reflection, cursor from the replica, read, dlt load or direct merge,
  metadata, check) in a fresh process of its own, after that process imported the code
  location and the replication's libraries and opened its instance; the clock starts
  at the materialization. The full run loads an empty replica; the incremental one,
  after 1% of the rows changed, finds them from the replica's cursor and merges them.
  import_seconds: the cold imports the clock leaves out (the same in both runs);
  cold_incremental_vs_full counts them in both."""


def _replicate_in_child(url: str, data_dir: Path) -> dict:
    """Run the replication asset in a fresh process; returns its figures and max RSS."""
    env = {
        **os.environ,
        "CLOUD_PRODUCT_DATABASE_URL": url,
        "DOP_DATA_DIR": str(data_dir),
        "DO_NOT_TRACK": "1",
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [sys.executable, __file__, "--child"], env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(out.stdout[-3000:] + out.stderr[-3000:])
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["max_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures["rss_is_max_so_far"] = before > 0
    return figures


# Imported before the clock in both runs alike: the replication's libraries, which its
# step imports lazily. Their cold import is a per-process cost that does not depend on
# the rows (a run worker pays it once, full or incremental); it is timed and printed
# apart, and what they import lazily in turn stays on the clock.
RUNTIME_MODULES = (
    "dop_cloud_usage.dlt_source",  # dlt, dagster-dlt, dlt's sql_database source
    "dop_cloud_usage.replica",
    "dlt.destinations.impl.duckdb.duck",
    "dlt.common.libs.pyarrow",
    "dlt.normalize",
    "dlt.load",
    "dlt.sources.helpers.requests",  # what dlt imports when its runtime starts
    "upath",
    "pluggy",
    "connectorx",
    "duckdb",
    "psycopg2",
)


def child() -> None:
    """One materialization of `runs` through the Dagster asset, timed from inside the
    process as a run worker would run it: code location loaded, instance open."""
    import importlib

    started = time.perf_counter()
    import dagster as dg

    from dop_cloud_usage.replication import replication_assets
    from dop_cloud_usage.source_database import CloudProductDatabase
    from dop_cloud_usage.tables import table_ref
    from dop_shared.warehouse import DuckDBWarehouse

    for module in RUNTIME_MODULES:
        importlib.import_module(module)
    imports = time.perf_counter() - started
    instance = dg.DagsterInstance.ephemeral()
    key = table_ref("runs").asset_key
    started = time.perf_counter()
    result = dg.materialize(
        replication_assets(),
        selection=[key],
        instance=instance,
        resources={"warehouse": DuckDBWarehouse(), "cloud_product_db": CloudProductDatabase()},
    )
    seconds = time.perf_counter() - started
    [event] = result.get_asset_materialization_events()
    written = event.materialization.metadata["rows_written"].value
    print(json.dumps({"seconds": seconds, "rows_written": written, "import_seconds": imports}))


def copy_floor(url: str, folder: Path) -> float:
    """Seconds to move `runs` with COPY ... TO STDOUT into a DuckDB table."""
    import duckdb
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    csv_file, db_file = folder / "runs.csv", folder / "floor.duckdb"
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        with open(csv_file, "w") as out:
            raw.cursor().copy_expert(
                "COPY (SELECT * FROM runs) TO STDOUT WITH (FORMAT csv, HEADER)", out
            )
    finally:
        raw.close()
        engine.dispose()
    with duckdb.connect(str(db_file)) as conn:
        conn.execute(f"CREATE OR REPLACE TABLE runs AS SELECT * FROM read_csv('{csv_file}')")
    seconds = time.perf_counter() - started
    csv_file.unlink()
    db_file.unlink()
    return seconds


def settle(url: str) -> None:
    """Put `runs` back in its generated order (CLUSTER on the primary key rewrites it
    without dead rows), so that every repetition starts from the same table. Without
    it, an earlier repetition's update and restore leave the 1% of rows at the end of
    the heap: the next full load puts them all in the replica's last row groups, and
    the incremental run's delete then thins those enough that DuckDB rewrites them
    when the connection closes (~0.3 s more, a state the bench made, not the product)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("CLUSTER runs USING runs_pkey"))
        conn.execute(sa.text("ANALYZE runs"))
    engine.dispose()


def measure(url: str, rows: int) -> dict:
    import sqlalchemy as sa

    settle(url)
    with tempfile.TemporaryDirectory(prefix="dop-bench-") as tmp:
        folder = Path(tmp)
        floor = copy_floor(url, folder)
        full = _replicate_in_child(url, folder / "data")
        assert full["rows_written"] == rows, full
        engine = sa.create_engine(url)
        with engine.begin() as conn:  # 1% of the runs change, as the product would
            conn.execute(sa.text(KEEP_CHANGED))
            changed = conn.execute(
                sa.text(
                    "UPDATE runs SET status = 'CANCELED', updated_at = "
                    "(SELECT max(updated_at) FROM runs) + interval '1 minute' WHERE id % 100 = 0"
                )
            ).rowcount
        incremental = _replicate_in_child(url, folder / "data")
        assert incremental["rows_written"] == changed, incremental
        with engine.begin() as conn:  # the next repetition starts from the same table
            conn.execute(sa.text(RESTORE_CHANGED))
        engine.dispose()
    return {
        "floor_rows_per_s": rows / floor,
        "full_rows_per_s": rows / full["seconds"],
        "full_vs_floor": floor / full["seconds"],
        "incremental_vs_full": incremental["seconds"] / full["seconds"],
        "cold_incremental_vs_full": (incremental["seconds"] + incremental["import_seconds"])
        / (full["seconds"] + full["import_seconds"]),
        "full_peak_mib": full["max_rss_mib"],
        "full_seconds": full["seconds"],
        "incremental_seconds": incremental["seconds"],
        "import_seconds": incremental["import_seconds"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1_000_000, help="runs rows (about)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--database-url",
        help="an existing Postgres database made by the generator (skips generating one)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if args.database_url:
        return report(run_all(args.database_url, args.repeat))
    from dop_devtools.postgres import postgres_server
    from dop_devtools.sample_data import SampleDataSpec
    from dop_devtools.sample_data.cloud_product import write

    spec = SampleDataSpec(
        seed=1, days=30, scale=args.runs / RUNS_PER_SCALE, end_date=dt.date(2026, 6, 30)
    )
    with postgres_server() as server:
        started = time.perf_counter()
        url = write(
            spec,
            server.create_database("bench"),
            tables=("plans", "organizations", "deployments", "runs"),
        )
        print(f"generated the product database in Postgres in {time.perf_counter() - started:.0f}s")
        report(run_all(url, args.repeat))


def run_all(url: str, repeat: int) -> tuple[int, list[dict]]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM runs")).scalar()
    engine.dispose()
    results = []
    for attempt in range(repeat):
        results.append(measure(url, rows))
        print(
            f"  run {attempt + 1}: " + ", ".join(f"{k} {v:,.2f}" for k, v in results[-1].items()),
            flush=True,
        )
    return rows, results


def report(measured: tuple[int, list[dict]]) -> None:
    rows, results = measured
    print(f"\n{rows:,} runs rows, {len(results)} run(s): median [min .. max]")
    print(CLOCK)
    for name, target in (
        ("full_rows_per_s", None),
        ("floor_rows_per_s", None),
        ("full_vs_floor", ">= 0.5"),
        ("full_seconds", None),
        ("incremental_seconds", None),
        ("incremental_vs_full", "<= 0.1"),
        ("import_seconds", None),
        ("cold_incremental_vs_full", None),
        ("full_peak_mib", "<= 1024"),
    ):
        values = [r[name] for r in results]
        spread = f"[{min(values):,.2f} .. {max(values):,.2f}]"
        line = f"  {name:24} {statistics.median(values):>12,.2f} {spread}"
        print(line + (f"   target {target}" if target else ""))


if __name__ == "__main__":
    main()
