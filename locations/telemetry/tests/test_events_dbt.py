"""The daily telemetry dbt models: a backfill is one dbt invocation, re-running it
changes nothing, and an event re-sent on a later day is counted once."""

import datetime as dt
import gzip
import json

import dagster as dg
import pytest

from dop_devtools.sample_data import SampleDataSpec, generate
from dop_shared import partitions, paths
from dop_shared.dbt import location_dbt_assets
from dop_shared.resources import dbt_resource
from dop_shared.warehouse import DuckDBWarehouse
from dop_telemetry.ingestion.events import daily_partitions, oss_telemetry_events
from dop_telemetry.ingestion.files import LocalTelemetryFiles, TelemetryFiles
from dop_telemetry.resources import source_resources

DAYS = 120
END = partitions.SAMPLE_END


def _assets():
    return [
        oss_telemetry_events,
        location_dbt_assets(
            "telemetry",
            sources=("prod_telemetry",),
            partitions_def=daily_partitions,
            name="telemetry_events_dbt_models",
        ),
    ]


def _backfill(first: dt.date, last: dt.date, files: TelemetryFiles):
    return dg.materialize(
        _assets(),
        tags={
            "dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat(),
        },
        resources={"warehouse": DuckDBWarehouse(), "telemetry_files": files, "dbt": dbt_resource()},
    )


def _counts():
    with DuckDBWarehouse().connect(read_only=True) as conn:
        return conn.execute(
            """
            select
                (select count(*) from sandbox.staging.stg_prod_telemetry__events),
                (select count(distinct event_id) from sandbox.staging.stg_prod_telemetry__events),
                (select count(*) from sandbox.intermediate.int_telemetry__instance_days),
                (select sum(daily_active_instances) from sandbox.telemetry.fct_oss_active_instances_daily),
                (select count(*) from sandbox.telemetry.dim_oss_instances),
                (select sum(events) from sandbox.telemetry.fct_oss_action_usage_daily)
            """
        ).fetchone()


@pytest.fixture
def long_history(tmp_path, monkeypatch, dbt_manifest):
    root = tmp_path / "data"
    generate(SampleDataSpec(seed=11, days=DAYS, scale=0.02, end_date=END), root / "sources")
    monkeypatch.setenv("DOP_DATA_DIR", str(root))
    monkeypatch.setenv("DOP_DATA_WINDOW_DAYS", "all")
    return root


def test_a_120_day_backfill_is_one_run_with_one_dbt_build_and_is_idempotent(long_history):
    files = LocalTelemetryFiles()
    first = END - dt.timedelta(days=DAYS - 1)
    result = _backfill(first, END, files)
    dbt_steps = [
        e for e in result.get_step_success_events() if e.step_key == "telemetry_events_dbt_models"
    ]
    assert len(dbt_steps) == 1
    stg = dg.AssetKey(["purina", "staging", "stg_prod_telemetry__events"])
    partitions = {
        e.partition for e in result.get_asset_materialization_events() if e.asset_key == stg
    }
    assert len(partitions) == DAYS
    once = _counts()
    assert once[0] == once[1] > 0  # one row per event_id
    assert once[5] == once[0]  # action usage adds up to the events

    _backfill(first, END, files)  # again: nothing changes
    assert _counts() == once
    middle = first + dt.timedelta(days=60)
    _backfill(middle, middle, files)  # one day alone, as the daily schedule runs it
    assert _counts() == once


def test_an_event_resent_the_next_day_is_counted_once(tmp_path, monkeypatch, dbt_manifest):
    root = tmp_path / "data"
    folder = root / "sources" / "telemetry" / "oss_telemetry_events"
    folder.mkdir(parents=True)
    monkeypatch.setenv("DOP_DATA_DIR", str(root))
    day1, day2 = END - dt.timedelta(days=2), END - dt.timedelta(days=1)

    def event(event_id: str, day: dt.date) -> bytes:
        return json.dumps(
            {
                "action": "step_success_event",
                "client_time": f"{day} 10:00:00.000001",
                "event_id": event_id,
                "elapsed_time": "0:00:02",
                "instance_id": "i-1",
                "metadata": {},
                "python_version": "3.11.7",
                "dagster_version": "1.9.3",
                "os_desc": "Linux",
                "os_platform": "Linux",
                "run_storage_id": "r",
                "is_known_ci_env": False,
            }
        ).encode()

    (folder / f"{day1}.json.gz").write_bytes(
        gzip.compress(event("a", day1) + b"\n" + event("b", day1) + b"\n")
    )
    (folder / f"{day2}.json.gz").write_bytes(
        gzip.compress(event("b", day1) + b"\n" + event("c", day2) + b"\n")
    )
    files = LocalTelemetryFiles()
    _backfill(day1, day1, files)
    _backfill(day2, day2, files)
    with DuckDBWarehouse().connect(read_only=True) as conn:
        rows = conn.execute(
            "select event_id, event_date from sandbox.staging.stg_prod_telemetry__events order by 1"
        ).fetchall()
    assert rows == [("a", day1), ("b", day1), ("c", day2)]


def test_source_resources_are_local_here():
    assert set(source_resources()) == {"telemetry_files", "pypi_source"}


def test_source_resources_outside_local_are_gcs_and_bigquery(monkeypatch):
    from dop_telemetry.ingestion.gcs_files import GCSTelemetryFiles
    from dop_telemetry.ingestion.pypi_bigquery import BigQueryPyPIDownloads

    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")
    resources = source_resources()
    assert isinstance(resources["telemetry_files"], GCSTelemetryFiles)
    assert isinstance(resources["pypi_source"], BigQueryPyPIDownloads)


def test_a_warehouse_from_before_user_id_is_migrated_by_the_code(
    tmp_path, monkeypatch, dbt_manifest
):
    """Tables written before the contract had user_id and extra_fields (simulated by
    dropping those columns after a first load) gain them on the next run: old rows are
    kept, as NULL there; new rows carry them, in raw and in staging alike."""
    root = tmp_path / "data"
    generate(SampleDataSpec(seed=5, days=2, scale=0.3, end_date=END), root / "sources")
    monkeypatch.setenv("DOP_DATA_DIR", str(root))
    day1, day2 = END - dt.timedelta(days=1), END
    files = LocalTelemetryFiles()
    _backfill(day1, day1, files)
    raw = "purina.prod_telemetry.oss_telemetry_events_raw"
    stg = "sandbox.staging.stg_prod_telemetry__events"
    with DuckDBWarehouse().connect() as conn:
        for table in (raw, stg):
            conn.execute(f"alter table {table} drop column user_id")
            conn.execute(f"alter table {table} drop column extra_fields")
        [(before,)] = conn.execute(f"select count(*) from {stg}").fetchall()
    _backfill(day2, day2, files)
    with DuckDBWarehouse().connect(read_only=True) as conn:
        for table in (raw, stg):
            counts = dict(
                conn.execute(
                    f"select event_date, count(user_id) from {table} group by 1"
                ).fetchall()
            )
            assert counts[day1] == 0 and counts[day2] > 0, table
        [(day1_rows,)] = conn.execute(
            f"select count(*) from {stg} where event_date = ?", [day1]
        ).fetchall()
        [(users,)] = conn.execute(
            "select daily_active_users from sandbox.telemetry.fct_oss_active_instances_daily "
            "where activity_date = ?",
            [day2],
        ).fetchall()
    assert day1_rows == before > 0
    assert users > 0


def _day_file(folder, day: dt.date, events: int) -> None:
    lines = [
        json.dumps(
            {
                "action": "step_success_event",
                "client_time": f"{day} 10:00:{i % 60:02d}.000001",
                "event_id": f"{day}-{i}",
                "elapsed_time": "0:00:01.5",
                "instance_id": f"instance-{i % 3}",
                "metadata": {},
                "python_version": "3.11.7",
                "dagster_version": "1.13.27",
                "os_desc": "Linux-6",
                "os_platform": "Linux",
                "run_storage_id": "rs-1",
                "is_known_ci_env": False,
            }
        )
        for i in range(events)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{day}.json.gz").write_bytes(gzip.compress("\n".join(lines).encode()))


def test_a_range_run_gives_each_partition_its_own_row_count(tmp_path, monkeypatch, dbt_manifest):
    root = tmp_path / "data"
    days = [END - dt.timedelta(days=2), END - dt.timedelta(days=1), END]
    for day, events in zip(days, (10, 20, 30), strict=True):
        _day_file(root / "sources" / paths.TELEMETRY_EVENTS_DIR, day, events)
    monkeypatch.setenv("DOP_DATA_DIR", str(root))
    result = _backfill(days[0], days[-1], LocalTelemetryFiles())
    assert result.success

    def row_counts(table: str) -> dict[str, int]:
        return {
            m.partition: m.metadata["dagster/row_count"].value
            for m in result.get_asset_materialization_events()
            for m in [m.materialization]
            if m.asset_key.path[-1] == table
        }

    expected = {str(day): n for day, n in zip(days, (10, 20, 30), strict=True)}
    assert row_counts("oss_telemetry_events_raw") == expected
    assert row_counts("stg_prod_telemetry__events") == expected
    # a model rebuilt whole has no partition's count, only the table's, named as such
    dimension = [
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key.path[-1] == "dim_oss_instances"
    ]
    assert len(dimension) == 3
    assert all("dagster/row_count" not in m and m["table_row_count"].value == 3 for m in dimension)
