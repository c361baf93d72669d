"""The local Dagster UI as a person gets it, for the browser tests: a real
`dagster-webserver -w workspace.yaml` over its own DAGSTER_HOME and data folder,
the quickstart's `dop-materialize-all` as a real process, headless Chromium.

Nothing here is faked: the webserver starts the three code servers from
workspace.yaml, the runs are recorded in the temporary instance, the browser
renders the webapp shipped with dagster-webserver.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from dop_shared.environment import DECIDING_VARIABLES
from dop_shared.partitions import SAMPLE_DAYS_VAR
from dop_shared.paths import DATA_DIR_VAR, TELEMETRY_EVENTS_DIR, repo_root

# The venv's console scripts sit next to its python.
BIN = Path(sys.executable).parent
# Cold start of three code servers (one after the other) on a busy 2-core machine
# takes over a minute; the quickstart's materialization several.
LOAD_TIMEOUT = 420.0
MATERIALIZE_TIMEOUT = 900.0

# What the webapp says when something went wrong, verbatim from its bundle
# (dagster_webserver/webapp: CodeLocationNotFound, useCodeLocationsStatus, AppError,
# OpJobPartitionsView, AssetHealthDataProvider).
ERROR_PHRASES = (
    "failed to load",
    "An error occurred",
    "Unexpected GraphQL error",
    "PythonError",
    "Traceback",
)

WORKSPACE_QUERY = """{workspaceOrError {__typename ... on Workspace {locationEntries {
  name loadStatus locationOrLoadError {__typename ... on PythonError {message}}}}}}"""


def chromium_executable() -> str | None:
    """Debian's `chromium` (what .ci/run installs), or DOP_CHROMIUM, or a Chrome on PATH.
    Playwright's own browser download is not used: it is not reachable everywhere."""
    override = os.environ.get("DOP_CHROMIUM")
    if override:
        return override
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    return next((path for name in names if (path := shutil.which(name))), None)


def new_instance(root: Path) -> Path:
    """A fresh DAGSTER_HOME holding the repository's dagster.yaml, so the test sees
    the local instance's settings (telemetry off, run queue, no community dialog)."""
    home = root / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(repo_root() / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    # Create and migrate the instance's SQLite storages once, here: the quickstart, the
    # webserver and its code servers would otherwise all create them at the same moment,
    # and concurrent migrations leave two alembic heads that fail the code servers.
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs(limit=1)
    return home


def local_env(dagster_home: Path, data_dir: Path) -> dict[str, str]:
    """The environment of ./scripts/quickstart: LOCAL, telemetry off, our folders."""
    env = {k: v for k, v in os.environ.items() if k not in DECIDING_VARIABLES}
    env.update(
        DAGSTER_HOME=str(dagster_home),
        DO_NOT_TRACK="1",
        DAGSTER_DISABLE_TELEMETRY="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        RUNTIME__DLTHUB_TELEMETRY="false",
    )
    env[DATA_DIR_VAR] = str(data_dir)
    # the local partitions span the sample's days, as after the quickstart (the suite's
    # own default covers two years, see conftest.py)
    days = list((data_dir / "sources" / TELEMETRY_EVENTS_DIR).glob("*.json.gz"))
    env.pop(SAMPLE_DAYS_VAR, None)
    if days:
        env[SAMPLE_DAYS_VAR] = str(len(days))
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(log: Path, chars: int = 4000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no log)"


def _stop(proc: subprocess.Popen) -> None:
    """Ctrl-C to the process group we started (the webserver and its code servers)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class Quickstart:
    """`dop-materialize-all` into a given instance and data folder, started in the
    background so the webservers can load meanwhile; `wait()` joins it."""

    def __init__(self, dagster_home: Path, data_dir: Path):
        self.dagster_home, self.data_dir = dagster_home, data_dir
        self.log = dagster_home.parent / "materialize_all.log"
        with self.log.open("w") as out:
            self._proc = subprocess.Popen(
                [str(BIN / "dop-materialize-all")],
                cwd=repo_root(),
                env=local_env(dagster_home, data_dir),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait(self) -> None:
        try:
            code = self._proc.wait(timeout=MATERIALIZE_TIMEOUT)
        except subprocess.TimeoutExpired as timeout:
            _stop(self._proc)
            log = _tail(self.log)
            raise AssertionError(f"dop-materialize-all still running:\n{log}") from timeout
        if code != 0:
            raise AssertionError(f"dop-materialize-all exited {code}:\n{_tail(self.log)}")

    def stop(self) -> None:
        _stop(self._proc)


class DagsterWebserver:
    """`dagster-webserver -w workspace.yaml` on a free port, as a process group of its own."""

    def __init__(self, dagster_home: Path, data_dir: Path):
        self.dagster_home, self.data_dir = dagster_home, data_dir
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = dagster_home.parent / f"webserver_{self.port}.log"
        argv = [str(BIN / "dagster-webserver"), "-w", "workspace.yaml"]
        argv += ["-h", "127.0.0.1", "-p", str(self.port)]
        with self.log.open("w") as out:
            self._proc = subprocess.Popen(
                argv,
                cwd=repo_root(),
                env=local_env(dagster_home, data_dir),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        # No proxy from the environment: this traffic stays on localhost.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.base_url}/graphql", body, {"Content-Type": "application/json"}
        )
        with opener.open(request, timeout=30) as response:
            payload = json.load(response)
        assert "errors" not in payload, payload["errors"]
        return payload["data"]

    def wait_until_loaded(self) -> list[dict]:
        """Block until the webserver serves and no code location is still loading;
        return the location entries (their status is for the test to judge)."""
        deadline = time.monotonic() + LOAD_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise AssertionError(f"dagster-webserver exited:\n{_tail(self.log)}")
            try:
                entries = self.graphql(WORKSPACE_QUERY)["workspaceOrError"]["locationEntries"]
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                entries = []
            if entries and all(e["loadStatus"] != "LOADING" for e in entries):
                return entries
            time.sleep(1)
        raise AssertionError(f"dagster-webserver not ready in {LOAD_TIMEOUT}s:\n{_tail(self.log)}")

    def stop(self) -> None:
        _stop(self._proc)
