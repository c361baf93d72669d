"""Record the telemetry lines Dagster itself writes, as a fixture for the telemetry tests.

Dagster OSS appends one JSON object per telemetry action to $DAGSTER_HOME/logs/event.log. Rather
than hand-write what we believe those lines look like, this drives a throwaway project through the
real CLI in a sandbox (temporary HOME and DAGSTER_HOME) and copies event.log byte for byte into
the fixture. Ids and times change between recordings; the actions and line shapes do not.
Takes about two minutes, most of it waiting for the schedule's minute boundary.

    .venv/bin/python scripts/record_real_telemetry.py
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "locations/telemetry/tests/fixtures/dagster_telemetry_1.13.27.jsonl"
DAGSTER = str(Path(sys.executable).parent / "dagster")  # the venv's CLI, next to its python
ENTRY_KEYS = set(
    "action client_time event_id elapsed_time instance_id user_id metadata python_version"
    " dagster_version os_desc os_platform run_storage_id is_known_ci_env".split()
)
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}

PROJECT = """
import dagster as dg

class Greeting(dg.ConfigurableResource):  # custom resource -> has_custom_resources "True"
    word: str = "hello"

@dg.asset
def numbers(greeting: Greeting):
    return [1, 2, 3]
@dg.asset
def doubled(numbers):
    return [2 * n for n in numbers]
@dg.asset
def broken():
    raise RuntimeError("deliberate failure, recorded as step_failure_event")

@dg.op
def say_hello():
    return "hello"
@dg.job
def hello_job():
    say_hello()
@dg.job(partitions_def=dg.StaticPartitionsDefinition(["a", "b"]))
def partitioned_job():
    say_hello()

every_minute = dg.ScheduleDefinition(name="every_minute", job=hello_job, cron_schedule="* * * * *",
                                     default_status=dg.DefaultScheduleStatus.RUNNING)
@dg.sensor(job=hello_job, default_status=dg.DefaultSensorStatus.RUNNING)
def once_sensor():
    yield dg.RunRequest(run_key="once")  # the run key makes the daemon create exactly one run

defs = dg.Definitions(
    assets=[numbers, doubled, broken], jobs=[hello_job, partitioned_job],
    schedules=[every_minute], sensors=[once_sensor],
    resources={"greeting": Greeting(), "io_manager": dg.FilesystemIOManager()},
)
"""

# The default (ephemeral) instance of execute_in_process never logs telemetry; a real one does.
IN_PROCESS = """
import dagster as dg
from defs import hello_job
with dg.DagsterInstance.get() as instance:
    assert hello_job.execute_in_process(instance=instance).success
"""

REPOS_QUERY = "{repositoriesOrError {... on RepositoryConnection {nodes {name location {name}}}}}"
RUNS_QUERY = "{runsOrError {... on Runs {results {status tags {key}}}}}"
LAUNCH = (
    "mutation($p: ExecutionParams!) {launchPipelineExecution(executionParams: $p) {__typename}}"
)
# Verbatim the UI's LogTelemetryMutation, with actions and metadata as its webapp bundle sends them.
UI_TELEMETRY = """mutation($action: String!, $metadata: String!, $clientTime: String!,
  $clientId: String!) {logTelemetry(action: $action, metadata: $metadata, clientTime: $clientTime,
  clientId: $clientId) {__typename}}"""
UI_EVENTS = [
    ("LAUNCH_RUN", {"jobName": "hello_job"}),
    ("GRAPHQL_QUERY_COMPLETED", {"operationName": "RunsRootQuery", "elapsedTime": "42"}),
]


def sandbox_env(root: Path) -> dict[str, str]:
    (root / "home").mkdir()
    (root / "dagster_home").mkdir()
    # Telemetry is on unless dagster.yaml turns it off; say so explicitly all the same.
    (root / "dagster_home/dagster.yaml").write_text("telemetry:\n  enabled: true\n")
    return {
        **os.environ,
        "HOME": str(root / "home"),  # user_id.yaml lives in ~/.dagster/.telemetry/
        "DAGSTER_HOME": str(root / "dagster_home"),
        # The webserver and each daemon start dagster/_core/telemetry_upload.py, which at once
        # moves logs/ to .logs_queue/, POSTs it to telemetry.dagster.io and deletes it. This
        # variable, read only there, stops that thread; local logging is unaffected.
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DAGSTER_TELEMETRY_URL": "http://127.0.0.1:9/upload-disabled",  # belt and braces
        "DO_NOT_TRACK": "1",  # Dagster ignores it (only dbt reads it); quietens other tools
    }


def run(root: Path, env: dict[str, str], *argv: str, fail: bool = False) -> None:
    proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    if (proc.returncode != 0) != fail:
        sys.exit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    print("ran:", *argv[1:], file=sys.stderr)


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    # Bypass any proxy from the environment: this traffic must stay on localhost.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    headers = {"Content-Type": "application/json"}
    url = f"http://127.0.0.1:{port}/graphql"
    with opener.open(urllib.request.Request(url, body, headers), timeout=10) as resp:
        return json.load(resp)["data"]


def browse(port: int, deadline: float) -> None:
    """Act as a browser on the UI, then wait for the daemon's scheduled and sensor runs."""
    repos = []
    while not repos:  # the webserver answers before the code location has loaded
        if time.monotonic() > deadline:
            sys.exit("dagster dev did not come up")
        time.sleep(1)
        try:
            repos = graphql(port, REPOS_QUERY)["repositoriesOrError"].get("nodes")
        except OSError:
            pass
    selector = {"repositoryLocationName": repos[0]["location"]["name"]}
    selector |= {"repositoryName": repos[0]["name"], "pipelineName": "hello_job"}
    graphql(port, LAUNCH, {"p": {"selector": selector, "mode": "default"}})
    client_id = str(uuid.uuid4())  # the UI keeps one per browser in localStorage
    for action, metadata in UI_EVENTS:
        client_time = str(int(time.time() * 1000))  # the UI sends Date.now()
        variables = {"action": action, "metadata": json.dumps(metadata)}
        variables |= {"clientTime": client_time, "clientId": client_id}
        graphql(port, UI_TELEMETRY, variables)
    while time.monotonic() < deadline:  # a new schedule first ticks on the next minute
        time.sleep(2)
        runs = graphql(port, RUNS_QUERY)["runsOrError"]["results"]
        tags = {t["key"] for r in runs for t in r["tags"]}
        if {"dagster/schedule_name", "dagster/sensor_name"} <= tags:
            if all(r["status"] in FINISHED for r in runs):
                return
    sys.exit("no finished scheduled and sensor runs in time")


def dev_session(root: Path, env: dict[str, str], budget: float = 110.0) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    argv = [DAGSTER, "dev", "-f", "defs.py", "-h", "127.0.0.1", "-p", str(port)]
    with (root / "dagster_dev.log").open("w") as log:
        # Own process group, so that stopping it reaches the webserver, daemon and code server.
        proc = subprocess.Popen(
            argv, cwd=root, env=env, stdout=log, stderr=log, start_new_session=True
        )
        try:
            browse(port, time.monotonic() + budget)
        except SystemExit:
            print((root / "dagster_dev.log").read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in its terminal does
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    print("ran: dev (webserver + daemon)", file=sys.stderr)


def collect(dagster_home: Path) -> bytes:
    if any((dagster_home / ".logs_queue").glob("*")):
        sys.exit("the uploader ran: lines were moved to .logs_queue/")
    # RotatingFileHandler: event.log is the newest file, event.log.1 the next oldest, and so on.
    logs = dagster_home / "logs"
    rotated = sorted(logs.glob("event.log.*"), key=lambda p: int(p.suffix[1:]), reverse=True)
    return b"".join(p.read_bytes() for p in [*rotated, logs / "event.log"])


def json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    names = {dict: "object", list: "array", str: "string", int: "number", float: "number"}
    return names.get(type(value), "null")


def summarize(data: bytes) -> None:
    entries = [json.loads(line) for line in data.decode().splitlines()]
    key_types, meta_types = defaultdict(set), defaultdict(set)
    for entry in entries:
        for key, value in entry.items():
            key_types[key].add(json_type(value))
        for key, value in (entry.get("metadata") or {}).items():
            meta_types[key].add(json_type(value))
    print(f"{len(entries)} lines written to {FIXTURE.relative_to(REPO)}\nactions:")
    for action, count in sorted(Counter(e.get("action") for e in entries).items()):
        print(f"  {count:4d}  {action}")
    not_strings = {k: t for k, t in meta_types.items() if t != {"string"}}
    for title, types in [("top-level keys", key_types), ("non-string metadata", not_strings)]:
        print(f"{title}: JSON types")
        for key, seen in sorted(types.items()):
            print(f"  {key}: {', '.join(sorted(seen))}")
    print("lines not shaped like TelemetryEntry:", sum(set(e) != ENTRY_KEYS for e in entries))
    for field in ("dagster_version", "python_version", "os_platform", "is_known_ci_env"):
        print(f"{field}: {', '.join(sorted({json.dumps(e.get(field)) for e in entries}))}")


def main() -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dagster-telemetry-", ignore_cleanup_errors=True) as t:
        root = Path(t)
        env = sandbox_env(root)
        (root / "defs.py").write_text(PROJECT)
        (root / "in_process.py").write_text(IN_PROCESS)
        defs = ("-f", "defs.py")
        run(root, env, DAGSTER, "definitions", "validate", *defs)  # emits nothing, checks defs
        run(root, env, DAGSTER, "asset", "materialize", *defs, "--select", "numbers,doubled")
        run(root, env, DAGSTER, "asset", "materialize", *defs, "--select", "broken", fail=True)
        run(root, env, DAGSTER, "job", "execute", *defs, "-j", "hello_job")
        # launch and backfill only queue runs; the daemon of `dagster dev` executes them.
        run(root, env, DAGSTER, "job", "launch", *defs, "-j", "hello_job")
        backfill = ("-j", "partitioned_job", "--partitions", "a,b", "--noprompt")
        run(root, env, DAGSTER, "job", "backfill", *defs, *backfill)
        run(root, env, sys.executable, "in_process.py")
        dev_session(root, env)
        data = collect(root / "dagster_home")
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_bytes(data)
    summarize(data)
    print(f"took {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
