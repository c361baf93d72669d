"""Fixtures for every test folder of the workspace.

Each test starts as LOCAL with no deployment variables; the functions under test
read the environment when called, so monkeypatch is all it takes to switch.
Sample data is generated once per session (small and deterministic); each test
that writes gets its own empty warehouse beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The function, taken before fakesnow's own `server` submodule shadows it once imported.
from fakesnow import server as fakesnow_server

from dop_shared import partitions
from dop_shared.environment import DECIDING_VARIABLES

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")  # Dagster's uploader reads only this
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
# Local partitions cover the sample's calendar (dop_shared.partitions): two years up
# to its last day here, so each test can pick its own days in it. Set before any
# location is imported, since partitions are defined at import.
os.environ.setdefault(partitions.SAMPLE_DAYS_VAR, "730")

DEPLOYMENT_VARIABLES = (
    *DECIDING_VARIABLES,
    "DOP_DATA_DIR",
    "CLOUD_PRODUCT_DATABASE_URL",
    "DOP_EMAIL_HASH_SALT",
    "SNOWFLAKE_ACCOUNT",
    "SNOWFLAKE_USER",
    "SNOWFLAKE_PASSWORD",
    "SNOWFLAKE_ROLE",
    "SNOWFLAKE_WAREHOUSE",
)

# Fixed so every run sees the same data; recent enough for the 90-day dbt window.
SAMPLE_END_DATE = partitions.SAMPLE_END
SAMPLE_DAYS = 14


@pytest.fixture(autouse=True)
def local_environment(monkeypatch):
    for name in DEPLOYMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The dbt manifest, parsed once for the session (as `dop-prepare` does)."""
    from filelock import FileLock

    from dop_shared.paths import dbt_project_dir
    from dop_shared.prepare import prepare

    saved = {name: os.environ.pop(name) for name in DEPLOYMENT_VARIABLES if name in os.environ}
    target = dbt_project_dir() / "target"
    target.mkdir(exist_ok=True)
    # Test workers (pytest -n) parse one after the other: dagster-dbt's own guard gives up
    # after 60 s, which a parse on a loaded machine can take.
    try:
        with FileLock(str(target / "tests-prepare.lock")).acquire(timeout=900):
            return Path(prepare("local"))
    finally:
        os.environ.update(saved)


@pytest.fixture(scope="session")
def sample_sources(tmp_path_factory) -> Path:
    from dop_devtools.sample_data import SampleDataSpec, generate

    root = tmp_path_factory.mktemp("sample") / "sources"
    generate(SampleDataSpec(seed=7, days=SAMPLE_DAYS, scale=0.3, end_date=SAMPLE_END_DATE), root)
    return root


@pytest.fixture
def data_dir(sample_sources, tmp_path, monkeypatch) -> Path:
    """DOP_DATA_DIR with the session's sample sources and an empty warehouse."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sources").symlink_to(sample_sources, target_is_directory=True)
    monkeypatch.setenv("DOP_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def snowflake(monkeypatch):
    """A SnowflakeWarehouse (PROD) on fakesnow's server: a local process speaking
    Snowflake's REST protocol to the real snowflake-connector."""
    from dop_shared.warehouse import SnowflakeWarehouse

    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")
    with fakesnow_server() as kwargs:
        extra = {k: v for k, v in kwargs.items() if k not in ("user", "password", "account")}
        warehouse = SnowflakeWarehouse(
            account=kwargs["account"],
            user=kwargs["user"],
            password=kwargs["password"],
            connection_args=extra,
        )
        with warehouse._resource().get_connection() as conn:
            conn.cursor().execute("create database if not exists PURINA")
        yield warehouse
