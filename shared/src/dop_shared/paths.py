"""Where the dbt project and the local data live.

The repository root is found by looking for its marker (`dbt/dbt_project.yml`)
upwards from the working directory and from this package, instead of counting
`parent.parent...` hops that break as soon as a file moves or the package is
installed into site-packages. Both places can be overridden by environment
variables, which move files but never change an asset key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DBT_PROJECT_DIR_VAR = "DOP_DBT_PROJECT_DIR"
DATA_DIR_VAR = "DOP_DATA_DIR"
_MARKER = Path("dbt") / "dbt_project.yml"


class ProjectLayoutError(FileNotFoundError):
    """The dbt project could not be found; the message says how to point at it."""


def _search_upwards(start: Path) -> Path | None:
    for candidate in (start, *start.parents):
        if (candidate / _MARKER).is_file():
            return candidate
    return None


def repo_root(env: Mapping[str, str] | None = None) -> Path:
    """The folder that holds `dbt/` (the repository, or the deployed build directory)."""
    values = os.environ if env is None else env
    override = values.get(DBT_PROJECT_DIR_VAR)
    if override:
        return Path(override).resolve().parent
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        found = _search_upwards(start)
        if found is not None:
            return found
    raise ProjectLayoutError(
        f"Could not find {_MARKER} above {Path.cwd()} or above the dop_shared package. "
        f"Run from inside the repository or set {DBT_PROJECT_DIR_VAR} to the dbt project folder."
    )


def dbt_project_dir(env: Mapping[str, str] | None = None) -> Path:
    values = os.environ if env is None else env
    override = values.get(DBT_PROJECT_DIR_VAR)
    if override:
        path = Path(override).resolve()
        if not (path / "dbt_project.yml").is_file():
            raise ProjectLayoutError(f"{DBT_PROJECT_DIR_VAR}={override} has no dbt_project.yml.")
        return path
    return repo_root(env) / "dbt"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """Local data: sample source files and the DuckDB warehouse (git-ignored `data/`)."""
    values = os.environ if env is None else env
    override = values.get(DATA_DIR_VAR)
    if override:
        return Path(override).expanduser().resolve()
    return repo_root(env) / "data"


def warehouse_dir(env: Mapping[str, str] | None = None) -> Path:
    return data_dir(env) / "warehouse"


def sources_dir(env: Mapping[str, str] | None = None) -> Path:
    return data_dir(env) / "sources"


# Where each source's local stand-in lives, relative to sources_dir(): the sample-data
# generator writes there and the ingestion assets read there.
TELEMETRY_EVENTS_DIR = Path("telemetry") / "oss_telemetry_events"  # <YYYY-MM-DD>.json.gz
PYPI_DOWNLOADS_FILE = Path("pypi") / "dagster_pypi_downloads.csv"
CLOUD_PRODUCT_DB = Path("cloud_product") / "cloud_product.sqlite"
SLACK_ANALYTICS_DIR = Path("slack") / "member_analytics"  # <YYYY-MM-DD>.json.gz
