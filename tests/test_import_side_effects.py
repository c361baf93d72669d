"""Importing a location's definitions, with no environment variable set, writes no
file, opens no connection and reads none of the variables that decide the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import LOCATION_NAMES

from dop_shared.environment import DECIDING_VARIABLES

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, os, sys

class RecordingEnviron(type(os.environ)):
    read = set()
    def __getitem__(self, key):
        RecordingEnviron.read.add(key)
        return super().__getitem__(key)
    def __contains__(self, key):
        RecordingEnviron.read.add(key)
        return super().__contains__(key)

os.environ.__class__ = RecordingEnviron
writes, connections = [], []

def audit(event, args):
    if event == "open" and len(args) > 2:
        path, mode, flags = args[0], args[1], args[2]
        write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT
        writing = (mode and any(c in str(mode) for c in "wax+")) or (flags and flags & write_flags)
        if writing and not str(path).startswith("/dev/"):
            writes.append(str(path))
    elif event == "socket.connect":  # (urllib3 binds ::1 once to probe for IPv6: not a connection)
        connections.append(repr(args[1]))
    elif event == "socket.getaddrinfo":
        connections.append("lookup " + repr(args[0]))

sys.addaudithook(audit)
import importlib
module = importlib.import_module(sys.argv[1])
assert callable(module.defs)
import tempfile
# A library may probe the temp folder with a file it deletes at once (filelock does):
# what counts is a file written outside it, or one left behind anywhere.
tmp = tempfile.gettempdir()
kept = [w for w in writes if not w.startswith(tmp + os.sep) or os.path.exists(w)]
report = {"read": sorted(RecordingEnviron.read), "writes": kept, "connections": connections}
print(json.dumps(report))
"""

WATCHED = {*DECIDING_VARIABLES, "DOP_DATA_DIR", "DOP_DBT_PROJECT_DIR"}


@pytest.mark.parametrize("name", LOCATION_NAMES)
def test_import_has_no_side_effects(name, tmp_path):
    clean_env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, f"dop_{name}.definitions"],
        cwd=tmp_path,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["writes"] == []
    assert report["connections"] == []
    assert not WATCHED & set(report["read"]), report["read"]
    assert not any(v.startswith("SNOWFLAKE_") for v in report["read"])
    assert list(tmp_path.iterdir()) == []
