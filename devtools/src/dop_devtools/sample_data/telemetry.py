"""Dagster OSS telemetry, as `dagster._core.telemetry.TelemetryEntry` writes it.

A heavy-tailed population of instances (a few very busy deployments, a long tail of
laptops) appears over the period, upgrades Dagster now and then, and churns. Each
day is generated from its own random stream, so any day can be rebuilt alone and
days can be written in parallel.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
import os
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from dop_devtools.sample_data.population import (
    DAGSTER_VERSIONS,
    PYTHON_VERSIONS,
    PYTHON_WEIGHTS,
    released_versions,
    weekday_factor,
)
from dop_devtools.sample_data.spec import SampleDataSpec

BASE_INSTANCES = 150
MALFORMED_RATE = 0.001
RETRY_RATE = 0.0005  # a client re-sends an event (same event_id) a little later

# (action, relative weight): job and step events dominate, as in real telemetry.
ACTIONS = (
    ("step_start_event", 30.0),
    ("step_success_event", 27.0),
    ("step_failure_event", 2.0),
    ("_logged_execute_job_started", 9.0),
    ("_logged_execute_job_ended", 8.5),
    ("daemon_alive", 12.0),
    ("update_repo_stats", 4.0),
    ("dagster_dev_command", 1.2),
    ("dagster_webserver_command", 0.8),
    ("grpc_server_started", 1.0),
    ("materialize_assets", 3.5),
)
_ACTION_NAMES = tuple(a for a, _ in ACTIONS)
_ACTION_CUM = []
_total = 0.0
for _, _w in ACTIONS:
    _total += _w
    _ACTION_CUM.append(_total)

OS_CHOICES = (
    ("Linux", "Linux-6.1.0-27-cloud-amd64-x86_64-with-glibc2.36", 0.62),
    ("Darwin", "macOS-15.1-arm64-arm-64bit", 0.3),
    ("Windows", "Windows-11-10.0.22631-SP0", 0.08),
)


@dataclass(frozen=True)
class Instance:
    instance_id: str
    run_storage_id: str
    first_day: int  # index into the spec's dates
    last_day: int  # inclusive; churned after it
    activity: float  # mean events on an active weekday
    python_version: str
    os_platform: str
    os_desc: str
    is_ci: bool
    version_offset: int  # how far behind the newest release it starts
    upgrade_every: int  # days between upgrades


def population(spec: SampleDataSpec) -> list[Instance]:
    """The instances of the whole period, drawn once from the seed."""
    rng = random.Random(f"{spec.seed}:population")
    count = max(5, int(BASE_INSTANCES * spec.scale * max(spec.days, 7) / 30))
    instances = []
    for _ in range(count):
        first = rng.randrange(-spec.days // 2, spec.days)
        lifetime = int(rng.paretovariate(0.9) * 20)
        os_platform, os_desc, _ = rng.choices(OS_CHOICES, weights=[w for *_, w in OS_CHOICES])[0]
        instances.append(
            Instance(
                instance_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                run_storage_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                first_day=max(first, 0),
                last_day=first + lifetime,
                activity=min(rng.paretovariate(1.3) * 8, 2500.0),
                python_version=rng.choices(PYTHON_VERSIONS, weights=PYTHON_WEIGHTS)[0],
                os_platform=os_platform,
                os_desc=os_desc,
                is_ci=rng.random() < 0.12,
                version_offset=min(int(rng.expovariate(0.6)), len(DAGSTER_VERSIONS) - 1),
                upgrade_every=rng.randint(14, 120),
            )
        )
    return instances


def _version(instance: Instance, day_index: int, released: tuple[str, ...]) -> str:
    upgrades = max(day_index - instance.first_day, 0) // instance.upgrade_every
    position = len(released) - 1 - max(instance.version_offset - upgrades, 0)
    return released[max(position, 0)]


def _metadata(action: str, rng: random.Random) -> dict[str, str]:
    if action == "update_repo_stats":
        return {
            "num_assets_in_repo": str(rng.randint(1, 400)),
            "num_pipelines_in_repo": str(rng.randint(1, 30)),
            "num_schedules_in_repo": str(rng.randint(0, 10)),
            "num_sensors_in_repo": str(rng.randint(0, 10)),
            "num_dbt_assets_in_repo": str(rng.choice((0, 0, 0, rng.randint(1, 300)))),
            "repo_hash": f"{rng.getrandbits(64):016x}",
            "source": rng.choice(("dagster-webserver", "dagster-daemon", "dagster-code-server")),
        }
    if action.startswith("step_") or action.startswith("_logged_execute_job"):
        return {
            "run_id_hash": f"{rng.getrandbits(64):016x}",
            "pipeline_name_hash": f"{rng.getrandbits(32):08x}",
            "num_assets_in_job": str(rng.randint(0, 50)),
        }
    if action == "daemon_alive":
        return {"daemon_type": rng.choice(("SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"))}
    return {}


def _malformed(line: str, rng: random.Random) -> str:
    """One of the ways a real collector mangles a line."""
    kind = rng.randrange(3)
    if kind == 0:  # truncated mid-record
        return line[: rng.randint(5, len(line) - 5)]
    if kind == 1:  # single quotes, as a Python repr would write them
        return line.replace('"', "'")
    # Raw bytes that are not UTF-8 (written through surrogateescape).
    return "\x00" + "".join(chr(0xDC00 + rng.randrange(0x80, 0x100)) for _ in range(12))


def day_lines(spec: SampleDataSpec, instances: list[Instance], day_index: int) -> list[str]:
    """Every line of one day's file, in client_time order."""
    day = spec.start_date + dt.timedelta(days=day_index)
    rng = random.Random(f"{spec.seed}:telemetry:{day.isoformat()}")
    released = released_versions(day, spec.end_date, spec.days)
    factor = weekday_factor(day)
    midnight = dt.datetime.combine(day, dt.time())
    events: list[tuple[dt.datetime, dict]] = []
    for instance in instances:
        if not instance.first_day <= day_index <= instance.last_day:
            continue
        expected = instance.activity * factor
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        version = _version(instance, day_index, released)
        for _ in range(count):
            action = _ACTION_NAMES[_bisect(rng.random() * _total)]
            client_time = midnight + dt.timedelta(microseconds=rng.randrange(86_400_000_000))
            elapsed = (
                str(dt.timedelta(milliseconds=rng.randint(5, 600_000)))
                if action.endswith(("_success_event", "_failure_event", "_ended"))
                else ""
            )
            events.append(
                (
                    client_time,
                    {
                        "action": action,
                        "client_time": str(client_time),
                        "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        "elapsed_time": elapsed,
                        "instance_id": instance.instance_id,
                        "metadata": _metadata(action, rng),
                        "python_version": instance.python_version,
                        "dagster_version": version,
                        "os_desc": instance.os_desc,
                        "os_platform": instance.os_platform,
                        "run_storage_id": instance.run_storage_id,
                        "is_known_ci_env": instance.is_ci,
                    },
                )
            )
    for client_time, event in list(events):
        if rng.random() < RETRY_RATE:
            events.append((client_time + dt.timedelta(seconds=rng.randint(1, 600)), event))
    events.sort(key=lambda pair: pair[0])
    lines = []
    for _, event in events:
        line = json.dumps(event, separators=(",", ":"))
        if rng.random() < MALFORMED_RATE:
            line = _malformed(line, rng)
        lines.append(line)
    return lines


def _bisect(value: float) -> int:
    lo, hi = 0, len(_ACTION_CUM) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if _ACTION_CUM[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def day_path(folder: Path, day: dt.date) -> Path:
    return folder / f"{day.isoformat()}.json.gz"


def write_day(
    spec: SampleDataSpec, instances: list[Instance], day_index: int, folder: Path
) -> Path:
    day = spec.start_date + dt.timedelta(days=day_index)
    path = day_path(folder, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    payload = "".join(f"{line}\n" for line in day_lines(spec, instances, day_index))
    # mtime=0 keeps the gzip header, and so the file's bytes, deterministic.
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(payload.encode("utf-8", errors="surrogateescape"))
    tmp.replace(path)
    return path


@functools.cache
def _population(spec: SampleDataSpec) -> list[Instance]:
    return population(spec)


def _write_day_job(job: tuple[SampleDataSpec, int, Path]) -> int:
    spec, day_index, folder = job
    path = write_day(spec, _population(spec), day_index, folder)
    return path.stat().st_size


def write(
    spec: SampleDataSpec, folder: Path, workers: int | None = None, progress: bool = False
) -> Path:
    """Every day's file; days are independent, so they are written by `workers` processes
    (default: one per core), with a progress bar when asked."""
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

    workers = workers or os.cpu_count() or 1
    jobs = [(spec, day_index, folder) for day_index in range(spec.days)]
    bar = tqdm(total=len(jobs), unit="day", desc="telemetry", disable=not progress)
    if workers == 1 or len(jobs) == 1:
        for job in jobs:
            _write_day_job(job)
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(_write_day_job, jobs):
                bar.update()
    bar.close()
    return folder
