"""`dop-materialize-all`: every asset of the three code locations on local DuckDB, in order.

Locations run in the order of dop_shared.locations.LOCATIONS (producers before
consumers, so reporting sees fresh telemetry and cloud usage); inside a
location, partitioned assets run first, as one run over every partition with
a source file, then everything else in one run.

Each run is a run of the location itself, as the UI's "Materialize" button makes
it: the location's asset job (`__ASSET_JOB`) with an asset selection, recorded in
DAGSTER_HOME with the origin of its code location in workspace.yaml. So in the UI
every run opens under its location, can be re-executed and shows on the timeline.
The run executes here, in this process, where the definitions are already loaded
(a launched run would load them again in a subprocess per run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
import time
import warnings
from collections import defaultdict

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.execution.api import execute_run
from dagster._core.remote_origin import RemoteRepositoryOrigin
from dagster._core.workspace.load_target import WorkspaceFileTarget

from dop_shared import environment, paths
from dop_shared.locations import LOCATIONS

# The job a location runs for an ad hoc selection of its assets, as in the UI.
ASSET_JOB = "__ASSET_JOB"

# Step logs (progress, rows loaded, dbt commands) without Dagster's per-event debug lines.
_INFO_LOGS = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _sample_days() -> tuple[dt.date, dt.date] | None:
    """First and last day of the local sample data (the daily telemetry files present)."""
    folder = paths.sources_dir() / paths.TELEMETRY_EVENTS_DIR
    days = sorted(p.name.removesuffix(".json.gz") for p in folder.glob("*.json.gz"))
    return (dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[-1])) if days else None


def _partition_range(partitions_def: dg.PartitionsDefinition) -> tuple[str, str] | None:
    """First and last partition whose whole time window lies within the sample data."""
    bounds = _sample_days()
    if bounds is None or not isinstance(partitions_def, dg.TimeWindowPartitionsDefinition):
        return None
    first, last = bounds
    windows = {
        key: partitions_def.time_window_for_partition_key(key)
        for key in partitions_def.get_partition_keys()
    }
    keys = [
        key
        for key, window in windows.items()
        if first <= window.start.date() and window.end.date() <= last + dt.timedelta(1)
    ]
    return (keys[0], keys[-1]) if keys else None


def load_location(name: str) -> dg.Definitions:
    """A location's Definitions, by location name (dop_<name>.definitions:defs)."""
    return importlib.import_module(f"dop_{name}.definitions").defs()


class WorkspaceLocation:
    """A code location of workspace.yaml, to run its jobs as runs of that location."""

    def __init__(self, name: str, workspace_file: os.PathLike | str | None = None):
        workspace_file = workspace_file or paths.repo_root() / "workspace.yaml"
        origins = {
            origin.location_name: origin
            for origin in WorkspaceFileTarget(paths=[str(workspace_file)]).create_origins()
        }
        if name not in origins:
            raise SystemExit(f"{workspace_file} has no code location named {name!r}")
        self.name = name
        self.origin = origins[name]
        target = self.origin.loadable_target_origin
        self.repository = ReconstructableRepository.for_module(
            target.module_name, target.attribute or "defs", target.working_directory
        )
        self.definition = self.repository.get_definition()

    def run(
        self, instance: dg.DagsterInstance, keys: set[dg.AssetKey], tags: dict[str, str]
    ) -> dg.JobExecutionResult:
        """Materialize `keys` in one run of the location's asset job, here and now."""
        job = self.repository.get_reconstructable_job(ASSET_JOB).get_subset(asset_selection=keys)
        repository_origin = RemoteRepositoryOrigin(self.origin, self.definition.name)
        run = instance.create_run_for_job(
            job_def=job.get_definition(),
            run_config=_INFO_LOGS,
            tags=tags,
            asset_selection=frozenset(keys),
            remote_job_origin=repository_origin.get_job_origin(ASSET_JOB),
            job_code_origin=job.get_python_origin(),
        )
        return execute_run(job, run, instance)


def materialize_location(name: str, instance: dg.DagsterInstance) -> list[dg.JobExecutionResult]:
    location = WorkspaceLocation(name)
    groups: dict[object, list[dg.AssetsDefinition]] = defaultdict(list)
    for assets_def in location.definition.assets_defs_by_key.values():
        if assets_def.is_executable and assets_def not in groups[assets_def.partitions_def]:
            groups[assets_def.partitions_def].append(assets_def)
    results = []
    # partitioned groups first (daily before weekly: finer grains feed coarser ones),
    # except those reading the unpartitioned group (the weekly Slack report): last
    order = [dg.DailyPartitionsDefinition, dg.WeeklyPartitionsDefinition]
    unpartitioned = {key for a in groups.get(None, []) for key in a.keys}

    def rank(item) -> int:
        partitions_def, assets = item
        if partitions_def is not None and any(
            dep in unpartitioned for a in assets for deps in a.asset_deps.values() for dep in deps
        ):
            return 10
        return next((i for i, t in enumerate(order) if isinstance(partitions_def, t)), 9)

    for partitions_def, assets in sorted(groups.items(), key=rank):
        tags = {}
        if partitions_def is not None:
            bounds = _partition_range(partitions_def)
            if bounds is None:
                print(f"  {name}: no source files for {[a.node_def.name for a in assets]}; skipped")
                continue
            tags = {
                "dagster/asset_partition_range_start": bounds[0],
                "dagster/asset_partition_range_end": bounds[1],
            }
        keys = sorted(k.to_user_string() for a in assets for k in a.keys)
        label = " partitions {}..{}".format(*bounds) if partitions_def is not None else ""
        print(f"  {name}: {len(keys)} assets{label}", flush=True)
        started = time.perf_counter()
        result = location.run(
            instance, {k for a in assets for k in a.keys}, {**tags, "dop/launched_by": "quickstart"}
        )
        if not result.success:
            raise SystemExit(
                f"{name}: run {result.run_id} failed; see the Dagster UI or logs above."
            )
        print(f"  {name}: done in {time.perf_counter() - started:.1f}s (run {result.run_id})")
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--location", action="append", help="only these locations")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=dg.BetaWarning)  # single-run backfill policy
    if environment.current_environment() is not environment.Environment.LOCAL:
        sys.exit("materialize_all is for local DuckDB runs; unset the DAGSTER_CLOUD_* variables.")
    names = args.location or [spec.name for spec in LOCATIONS]
    with dg.DagsterInstance.get() as instance:
        started = time.perf_counter()
        results = [r for name in names for r in materialize_location(name, instance)]
    total = len({e.asset_key for r in results for e in r.get_asset_materialization_events()})
    checks = [e for r in results for e in r.get_asset_check_evaluations()]
    # a failed check of WARN severity flags data to look at (the sample's rare future
    # telemetry field, say); one of ERROR severity is a problem
    failed = [e for e in checks if not e.passed]
    by_severity = {
        severity: [
            e.asset_check_key.to_user_string() + (f" [{e.partition}]" if e.partition else "")
            for e in failed
            if e.severity == severity
        ]
        for severity in (dg.AssetCheckSeverity.WARN, dg.AssetCheckSeverity.ERROR)
    }
    warned, errors = (
        by_severity[dg.AssetCheckSeverity.WARN],
        by_severity[dg.AssetCheckSeverity.ERROR],
    )
    print(
        f"materialized {total} assets of {len(names)} locations "
        f"in {time.perf_counter() - started:.1f}s; "
        f"{len(checks) - len(failed)}/{len(checks)} checks passed"
        + (f"; warnings: {', '.join(warned)}" if warned else "")
        + (f"; failed: {', '.join(errors)}" if errors else "")
    )


if __name__ == "__main__":
    main()
