"""Figures of the platform core, printed (never asserted by tests).

- location load: wall time of loading a location's definitions divided by a bare
  `python -c "import dagster, dagster_dbt"` measured in the same run, two ways:
  in process (import the module, call defs(), resolve the asset graph: what a code
  server does) and through `dagster definitions validate`, whose own fixed cost is
  shown by validating an empty Definitions;
- optionally (--quickstart, --tests) the wall time of the README's two commands.

Usage: uv run python bench/load_time.py [--repeat 3] [--quickstart] [--tests]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCATIONS = ("telemetry", "cloud_usage", "reporting")


def _time(command: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quickstart", action="store_true")
    parser.add_argument("--tests", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    python = sys.executable
    subprocess.run(
        [python, "-m", "dop_shared.prepare"], cwd=ROOT, env=env, check=True, capture_output=True
    )

    bare = statistics.median(
        _time([python, "-c", "import dagster, dagster_dbt"], env) for _ in range(args.repeat)
    )
    print(f"bare `import dagster, dagster_dbt`: {bare:.2f}s (median of {args.repeat})")

    def median(command: list[str]) -> float:
        return statistics.median(_time(command, env) for _ in range(args.repeat))

    validate = [python, "-m", "dagster", "definitions", "validate"]
    empty = median([*validate, "-m", "bench.empty_definitions"])
    print(f"`dagster definitions validate`, empty Definitions: {empty:.2f}s = {empty / bare:.2f}x")
    for name in LOCATIONS:
        module = f"dop_{name}.definitions"
        in_process = median(
            [python, "-c", f"from {module} import defs; defs().resolve_asset_graph()"]
        )
        cli = median([*validate, "-m", module])
        print(
            f"location load {name:<12} in process {in_process:.2f}s = {in_process / bare:.2f}x; "
            f"dagster definitions validate {cli:.2f}s = {cli / bare:.2f}x"
        )
    if args.quickstart:
        seconds = _time(["./scripts/quickstart"], {**env, "DOP_NO_UI": "1"})
        print(f"./scripts/quickstart (DOP_NO_UI=1): {seconds:.1f}s")
    if args.tests:
        seconds = _time(["./scripts/test", "-q"], env)
        print(f"./scripts/test: {seconds:.1f}s")


if __name__ == "__main__":
    main()
