"""Running real dbt in a test: some of a location's models through Dagster, or the dbt
command line itself."""

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from dop_shared.dbt import location_dbt_assets
from dop_shared.resources import dbt_resource


def build_models(location: str, *names: str) -> dg.ExecuteInProcessResult:
    """`dbt build` of the named models of `location` (and their tests, as checks) only."""
    assets = location_dbt_assets(location)
    keys = [key for key in assets.keys if key.path[-1] in names]
    assert len(keys) == len(names), f"not all models of {location}: {names}"
    return dg.materialize([assets], selection=keys, resources={"dbt": dbt_resource()})


def dbt_cli(
    *args: str,
    profiles_dir: Path,
    target_path: Path,
    variables: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """The dbt executable of this environment on the project, with `variables` as its
    --vars, its artifacts in `target_path` (never the project's own target/, which other
    test workers read) and telemetry off. `env` replaces the process environment."""
    from dop_shared.paths import dbt_project_dir

    return subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            *args,
            "--profiles-dir",
            str(profiles_dir),
            "--target-path",
            str(target_path),
            "--vars",
            json.dumps(dict(variables)),
        ],
        cwd=dbt_project_dir(),
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **(os.environ if env is None else env),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
    )
