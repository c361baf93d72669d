"""The production path: daily files in a GCS bucket, read through dagster-gcp's GCSResource
and the real google-cloud-storage client, against a local GCS emulator."""

import datetime as dt
import gzip
import socket

import pytest
from dagster_gcp import GCSResource
from events_runs import materialize_events

from dop_shared.warehouse import DuckDBWarehouse
from dop_telemetry.ingestion.events import QUARANTINE, RAW_EVENTS
from dop_telemetry.ingestion.files import LocalTelemetryFiles
from dop_telemetry.ingestion.gcs_files import GCSTelemetryFiles

BUCKET = "dop-telemetry"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gcs(monkeypatch):
    from gcp_storage_emulator.server import create_server

    port = _free_port()
    server = create_server("127.0.0.1", port, in_memory=True, default_bucket=BUCKET)
    server.start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port}")
    try:
        yield GCSResource(project="dop-test")
    finally:
        server.stop()


def _table(table):
    with DuckDBWarehouse().connect(read_only=True) as conn:
        return conn.execute(
            f"select * exclude (_loaded_at, _source_file) from {table.physical()} order by all"
            if table is RAW_EVENTS
            else f"select line_number, problem from {table.physical()} order by all"
        ).fetchall()


def test_a_day_from_gcs_loads_exactly_like_the_same_file_on_disk(data_dir, sample_sources, gcs):
    folder = sample_sources / "telemetry" / "oss_telemetry_events"
    path = sorted(folder.glob("*.json.gz"))[-1]
    day = dt.date.fromisoformat(path.name[:10])
    gcs.get_client().bucket(BUCKET).blob(f"oss_telemetry_events/{path.name}").upload_from_filename(
        str(path)
    )

    from_gcs = GCSTelemetryFiles(gcs=gcs, bucket=BUCKET)
    result = materialize_events(from_gcs, day)
    assert result.success
    [raw] = [
        m
        for m in result.asset_materializations_for_node("oss_telemetry_events")
        if m.asset_key == RAW_EVENTS.asset_key
    ]
    assert raw.metadata["file"].value == f"gs://{BUCKET}/oss_telemetry_events/{path.name}"
    gcs_rows, gcs_quarantine = _table(RAW_EVENTS), _table(QUARANTINE)

    assert materialize_events(LocalTelemetryFiles(root=str(folder)), day).success
    assert _table(RAW_EVENTS) == gcs_rows and len(gcs_rows) > 0
    assert _table(QUARANTINE) == gcs_quarantine


def test_a_missing_object_fails_naming_the_gcs_path(data_dir, gcs):
    day = dt.date(2026, 1, 5)
    gcs.get_client().bucket(BUCKET).blob(
        "oss_telemetry_events/2026-01-04.json.gz"
    ).upload_from_string(gzip.compress(b"{}\n"))
    result = materialize_events(GCSTelemetryFiles(gcs=gcs, bucket=BUCKET), day)
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert f"gs://{BUCKET}/oss_telemetry_events/2026-01-05.json.gz does not exist" in error
    assert "Partition 2026-01-05" in error
