"""Telemetry that Dagster itself wrote goes through the raw asset and the staging model with
nothing lost. The fixture was recorded by scripts/record_real_telemetry.py: Dagster 1.13.27
with telemetry logging to a temporary DAGSTER_HOME (materializations, a failed step, job
execute/launch/backfill, `dagster dev` with a schedule and a sensor, the web UI's own
telemetry), nothing uploaded."""

import datetime as dt
import gzip
import json
from pathlib import Path

import dagster as dg

from dop_shared.dbt import location_dbt_assets
from dop_shared.paths import TELEMETRY_EVENTS_DIR
from dop_shared.resources import dbt_resource
from dop_shared.warehouse import DuckDBWarehouse
from dop_telemetry.ingestion.contract import ACTIONS, FIELD_NAMES
from dop_telemetry.ingestion.events import (
    QUARANTINE,
    RAW_EVENTS,
    daily_partitions,
    oss_telemetry_events,
)
from dop_telemetry.ingestion.files import LocalTelemetryFiles

FIXTURE = Path(__file__).parent / "fixtures" / "dagster_telemetry_1.13.27.jsonl"
DAY = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)  # inside the dbt data window


def test_the_fixture_is_what_dagster_writes():
    events = [json.loads(line) for line in FIXTURE.read_text().splitlines()]
    assert len(events) >= 50
    assert all(tuple(event) == FIELD_NAMES for event in events)  # TelemetryEntry's order
    actions = {event["action"] for event in events}
    assert actions <= set(ACTIONS)
    # what a user's session exercises: runs, a failed step, the daemon, the UI
    assert {"step_failure_event", "daemon_alive", "scheduled_run_created"} <= actions
    assert {"start_dagit_webserver", "GRAPHQL_QUERY_COMPLETED"} <= actions


def test_every_line_dagster_wrote_reaches_staging_with_nothing_lost(
    tmp_path, monkeypatch, dbt_manifest
):
    raw_lines = FIXTURE.read_bytes().splitlines()
    events = {json.loads(line)["event_id"]: json.loads(line) for line in raw_lines}
    root = tmp_path / "data"
    folder = root / "sources" / TELEMETRY_EVENTS_DIR
    folder.mkdir(parents=True)
    (folder / f"{DAY}.json.gz").write_bytes(gzip.compress(b"\n".join(raw_lines) + b"\n"))
    monkeypatch.setenv("DOP_DATA_DIR", str(root))
    dbt_models = location_dbt_assets(
        "telemetry", sources=("prod_telemetry",), partitions_def=daily_partitions, name="models"
    )
    result = dg.materialize(
        [oss_telemetry_events, dbt_models],
        partition_key=DAY.isoformat(),
        resources={
            "warehouse": DuckDBWarehouse(),
            "telemetry_files": LocalTelemetryFiles(),
            "dbt": dbt_resource(),
        },
    )
    assert result.success
    with DuckDBWarehouse().connect(read_only=True) as conn:
        columns = ", ".join(FIELD_NAMES)
        raw = conn.execute(f"select {columns}, extra_fields from {RAW_EVENTS.physical()}")
        loaded = {
            row[2]: dict(zip((*FIELD_NAMES, "extra"), row, strict=True)) for row in raw.fetchall()
        }
        [(quarantined,)] = conn.execute(f"select count(*) from {QUARANTINE.physical()}").fetchall()
        staged = conn.execute(
            "select event_id, action, user_id, client_at, metadata, elapsed_seconds "
            "from sandbox.staging.stg_prod_telemetry__events"
        ).fetchall()
    assert quarantined == 0
    assert set(loaded) == set(events) and len(raw_lines) == len(events)
    for event_id, event in events.items():  # every value as Dagster sent it
        row = loaded[event_id]
        assert json.loads(row.pop("metadata")) == event.pop("metadata")
        assert row.pop("extra") is None
        assert row == event
    assert {row[0] for row in staged} == set(events) and len(staged) == len(events)
    assert all(row[2] and row[3] for row in staged)  # user and client time typed
    ended = [row for row in staged if row[1].endswith("_ended")]
    assert ended and all(row[5] is not None and row[5] >= 0 for row in ended)
    checks = {e.asset_check_key.name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["known_fields"] and checks["quarantine_rate"]
    [accepted] = [
        name
        for name in checks
        if name.startswith("accepted_values_stg_prod_telemetry") and "action" in name
    ]
    assert checks[accepted], "a real action is missing from accepted_values"
