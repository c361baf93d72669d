"""Dagster OSS telemetry, as `dagster_shared.telemetry.TelemetryEntry` writes it: the
contract's fields and actions (dop_telemetry.ingestion.contract), old clients without
`user_id`, and now and then a field from a release newer than the contract.

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
from dataclasses import dataclass, replace
from pathlib import Path

from dop_devtools.sample_data.population import (
    DAGSTER_VERSIONS,
    PYTHON_VERSIONS,
    PYTHON_WEIGHTS,
    released_versions,
    weekday_factor,
)
from dop_devtools.sample_data.spec import SampleDataSpec
from dop_telemetry.ingestion.contract import ACTIONS, FIELD_NAMES

BASE_INSTANCES = 150
MALFORMED_RATE = 0.001
RETRY_RATE = 0.0005  # a client re-sends an event (same event_id) a little later
# A field the contract does not know yet, sent from the sample's last FUTURE_FIELD_DAYS
# days on by a share of the newest release's events: a release adding a field is how real
# feeds drift. The ingestion keeps it; the known_fields check warns on those days only.
FUTURE_FIELD = "code_server_kind"
FUTURE_FIELD_RATE = 0.02
FUTURE_FIELD_DAYS = 3
# Dagster sends user_id since early 2026 (dagster-io/dagster#33320); in this calendar of
# releases, from 1.13.0. Older clients send no such key.
USER_ID_SINCE = (1, 13, 0)
USERS_PER_INSTANCE = 0.6  # one user runs several instances (laptop, CI, a deployment)

# (action, relative weight): Dagster's real actions (the contract's ACTIONS), in the
# proportions of a population where step events dominate and the daemon's heartbeat is
# steady; a failed run logs *_started without *_ended.
ACTION_WEIGHTS: dict[str, float] = {
    "step_start_event": 30.0,
    "step_success_event": 27.0,
    "step_failure_event": 2.0,
    "_logged_execute_job_started": 8.0,
    "_logged_execute_job_ended": 7.5,
    "daemon_alive": 12.0,
    "update_repo_stats": 4.0,
    "scheduled_run_created": 2.0,
    "sensor_run_created": 1.5,
    "backfill_run_created": 0.2,
    "start_dagit_webserver": 0.8,
    "execute_materialize_command_started": 0.6,
    "execute_materialize_command_ended": 0.55,
    "execute_execute_command_started": 0.2,
    "execute_execute_command_ended": 0.19,
    "execute_launch_command_started": 0.1,
    "execute_launch_command_ended": 0.1,
    "_daemon_run_command_started": 0.3,
    "_daemon_run_command_ended": 0.05,
    "GRAPHQL_QUERY_COMPLETED": 1.5,
    "LAUNCH_RUN": 0.4,
    "LAUNCH_MULTIPLE_RUNS": 0.05,
}
if set(ACTION_WEIGHTS) != set(ACTIONS):  # the contract is the vocabulary
    raise ImportError(
        f"ACTION_WEIGHTS and the contract differ: {set(ACTION_WEIGHTS) ^ set(ACTIONS)}"
    )
_ACTION_NAMES = tuple(ACTION_WEIGHTS)
_ACTION_CUM = []
_total = 0.0
for _w in ACTION_WEIGHTS.values():
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
    user_id: str
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
    users = [
        str(uuid.UUID(int=rng.getrandbits(128), version=4))
        for _ in range(max(1, int(count * USERS_PER_INSTANCE)))
    ]
    instances = []
    for _ in range(count):
        first = rng.randrange(-spec.days // 2, spec.days)
        lifetime = int(rng.paretovariate(0.9) * 20)
        os_platform, os_desc, _ = rng.choices(OS_CHOICES, weights=[w for *_, w in OS_CHOICES])[0]
        instances.append(
            Instance(
                instance_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                user_id=rng.choice(users),
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
    # Instance 0 is a busy production deployment that runs all period long, so no day's
    # file is empty (an empty file is not telemetry: its partition would fail).
    instances[0] = replace(
        instances[0], first_day=0, last_day=spec.days, activity=max(instances[0].activity, 40.0)
    )
    return instances


def _version(instance: Instance, day_index: int, released: tuple[str, ...]) -> str:
    upgrades = max(day_index - instance.first_day, 0) // instance.upgrade_every
    position = len(released) - 1 - max(instance.version_offset - upgrades, 0)
    return released[max(position, 0)]


def _hash(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"  # Dagster's hash_name: an md5 hex digest


def _metadata(action: str, rng: random.Random, daemon_session: str) -> dict:
    """Metadata as Dagster's call sites write it (values are not all text)."""
    if action == "update_repo_stats":
        return {
            "source": rng.choice(("dagit", "execute_pipeline", "pipeline_launch_command")),
            "pipeline_name_hash": _hash(rng),
            "num_pipelines_in_repo": str(rng.randint(1, 30)),
            "num_schedules_in_repo": str(rng.randint(0, 10)),
            "num_sensors_in_repo": str(rng.randint(0, 10)),
            "num_assets_in_repo": str(rng.randint(1, 400)),
            "repo_hash": _hash(rng),
            "num_dynamic_partitioned_assets_in_repo": str(rng.choice((0, 0, 0, 1))),
        }
    if action.startswith("step_"):
        metadata = {"run_id_hash": _hash(rng), "step_key_hash": _hash(rng)}
        if action == "step_success_event":
            metadata["duration_ms"] = round(rng.expovariate(1 / 4000), 3)
        return metadata
    if action.endswith("_ended"):
        return {"success": rng.random() > 0.06}
    if action in ("daemon_alive", "_daemon_run_command_started", "_daemon_run_command_ended"):
        return {"DAEMON_SESSION_ID": daemon_session}
    if action in ("scheduled_run_created", "sensor_run_created", "backfill_run_created"):
        kind = {"scheduled_run_created": "SCHEDULE", "sensor_run_created": "SENSOR"}.get(action)
        extra = {f"{kind}_NAME_HASH": _hash(rng)} if kind else {}
        return {
            "DAEMON_SESSION_ID": daemon_session,
            **extra,
            "repo_hash": _hash(rng),
            "pipeline_name_hash": _hash(rng),
        }
    if action == "GRAPHQL_QUERY_COMPLETED":
        return {
            "client_id": daemon_session,
            "operationName": rng.choice(("RunsRootQuery", "AssetGraphQuery", "OverviewJobsQuery")),
            "elapsedTime": str(rng.randint(20, 3000)),
        }
    if action.startswith("LAUNCH_"):
        return {"client_id": daemon_session, "jobName": f"job_{rng.randint(1, 40)}"}
    return {}


def _elapsed_time(action: str, rng: random.Random) -> str:
    """str(timedelta) for *_ended; Dagster writes str(None) for the rest, and
    update_repo_stats passes no elapsed time at all (an empty string)."""
    if action.endswith("_ended"):
        return str(dt.timedelta(milliseconds=rng.randint(5, 600_000)))
    return "" if action == "update_repo_stats" else "None"


def _sends_user_id(version: str) -> bool:
    return tuple(int(part) for part in version.split(".")[:3]) >= USER_ID_SINCE


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
        # a daemon's session id (and the UI's client id) lasts the day
        session = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        future = version == released[-1] and day_index >= spec.days - FUTURE_FIELD_DAYS
        for _ in range(count):
            action = _ACTION_NAMES[_bisect(rng.random() * _total)]
            client_time = midnight + dt.timedelta(microseconds=rng.randrange(86_400_000_000))
            values = {
                "action": action,
                "client_time": str(client_time),
                "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "elapsed_time": _elapsed_time(action, rng),
                "instance_id": instance.instance_id,
                "user_id": instance.user_id if _sends_user_id(version) else None,
                "metadata": _metadata(action, rng, session),
                "python_version": instance.python_version,
                "dagster_version": version,
                "os_desc": instance.os_desc,
                "os_platform": instance.os_platform,
                "run_storage_id": "" if action == "update_repo_stats" else instance.run_storage_id,
                "is_known_ci_env": instance.is_ci,
            }
            # the contract's fields in TelemetryEntry's order; absent ones left out
            event = {name: values[name] for name in FIELD_NAMES if values[name] is not None}
            if future and rng.random() < FUTURE_FIELD_RATE:
                event[FUTURE_FIELD] = rng.choice(("subprocess", "grpc"))
            events.append((client_time, event))
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
