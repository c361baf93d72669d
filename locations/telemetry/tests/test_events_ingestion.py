"""Raw telemetry ingestion against real DuckDB files and real gzip files."""

import datetime as dt
import gzip
import json

import pytest
from events_runs import materialize_events

from dop_shared.warehouse import DuckDBWarehouse, Partition
from dop_telemetry.ingestion.events import (
    LOAD_WORKERS,
    QUARANTINE,
    RAW_EVENTS,
)
from dop_telemetry.ingestion.files import LocalTelemetryFiles

DAY = dt.date(2026, 2, 2)


def _event(event_id: str) -> str:
    return json.dumps(
        {
            "action": "step_success_event",
            "client_time": "2026-02-02 10:00:00.000001",
            "event_id": event_id,
            "elapsed_time": "0:00:01.5",
            "instance_id": "inst-1",
            "metadata": {"run_id_hash": "ab"},
            "python_version": "3.11.7",
            "dagster_version": "1.9.3",
            "os_desc": "Linux-6",
            "os_platform": "Linux",
            "run_storage_id": "rs-1",
            "is_known_ci_env": False,
        }
    )


def _write(folder, day, lines: list[bytes]):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day.isoformat()}.json.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    return path


def _run(folder, *days: dt.date, warehouse=None):
    return materialize_events(LocalTelemetryFiles(root=str(folder)), *days, warehouse=warehouse)


def _rows(sql: str):
    with DuckDBWarehouse().connect(read_only=True) as conn:
        return conn.execute(sql).fetchall()


MALFORMED = [
    _event("e1").encode(),
    _event("e2")[:40].encode(),  # truncated
    _event("e3").replace('"', "'").encode(),  # wrong quotes
    b"\x00\xd9\xc0\xff\xfe binary",  # not UTF-8
    _event("e5").encode(),
]


def test_malformed_lines_are_quarantined_with_their_line_numbers(data_dir, tmp_path):
    folder = tmp_path / "files"
    _write(folder, DAY, MALFORMED)
    result = _run(folder, DAY)
    assert result.success
    assert _rows(f"select event_id, _line_number from {RAW_EVENTS.physical()} order by 2") == [
        ("e1", 1),
        ("e5", 5),
    ]
    quarantined = _rows(
        f"select line_number, problem, raw_text from {QUARANTINE.physical()} order by 1"
    )
    assert [(n, p) for n, p, _ in quarantined] == [
        (2, "not valid JSON"),
        (3, "not valid JSON"),
        (4, "not valid UTF-8"),
    ]
    assert quarantined[1][2].startswith("{'action'")
    [materialization] = [
        m
        for m in result.asset_materializations_for_node("oss_telemetry_events")
        if m.asset_key == RAW_EVENTS.asset_key
    ]
    assert materialization.metadata["rows_loaded"].value == 2
    assert materialization.metadata["rows_quarantined"].value == 3
    assert materialization.metadata["bytes_read"].value > 0


def test_every_partition_twice_gives_the_same_rows_and_no_duplicates(data_dir, sample_sources):
    folder = sample_sources / "telemetry" / "oss_telemetry_events"
    days = sorted(dt.date.fromisoformat(p.name[:10]) for p in folder.glob("*.json.gz"))
    result = _run(folder, *days)
    assert result.success
    first = _rows(f"select count(*), count(distinct event_id) from {RAW_EVENTS.physical()}")
    # a range run reports each day's own figures, which add up to the table
    metadata = next(
        m.metadata
        for m in result.asset_materializations_for_node("oss_telemetry_events")
        if m.asset_key == RAW_EVENTS.asset_key
    )
    loaded = {r.data["partition"]: r.data["rows_loaded"] for r in metadata["per_partition"].records}
    assert sorted(loaded) == [d.isoformat() for d in days]
    assert sum(loaded.values()) == first[0][0] == metadata["rows_loaded"].value
    assert "dagster/row_count" not in metadata  # it would claim the total for every day
    for day in days:  # then each partition on its own, as a daily schedule would
        assert _run(folder, day).success
    second = _rows(f"select count(*), count(distinct event_id) from {RAW_EVENTS.physical()}")
    assert first == second  # a re-run replaces, never appends
    assert first[0][0] > 0
    # the raw table keeps what clients sent (retries included, deduplicated in staging):
    # exactly one row per line of the files
    lines = _rows(
        f"select count(distinct (_source_file, _line_number)) from {RAW_EVENTS.physical()}"
    )
    assert lines == [(first[0][0],)]
    per_day = _rows(f"select count(distinct event_date) from {RAW_EVENTS.physical()}")
    assert per_day == [(len(days),)]


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_a_bad_file_fails_naming_file_and_partition_and_keeps_previous_rows(
    data_dir, tmp_path, damage
):
    folder = tmp_path / "files"
    path = _write(folder, DAY, [_event("e1").encode(), _event("e2").encode()])
    assert _run(folder, DAY).success
    if damage == "missing":
        path.unlink()
    else:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    result = _run(folder, DAY)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert str(path) in failure and str(DAY) in failure
    count = DuckDBWarehouse().row_count(RAW_EVENTS, Partition("event_date", DAY))
    assert count == 2


def test_files_are_read_where_the_resource_points(tmp_path):
    files = LocalTelemetryFiles(root=str(tmp_path))
    assert files.location_of(DAY) == str(tmp_path / "2026-02-02.json.gz")
    with pytest.raises(FileNotFoundError, match="2026-02-02.json.gz"):
        with files.open_day(DAY):
            pass


def _without(field: str) -> bytes:
    event = json.loads(_event("d1"))
    del event[field]
    return json.dumps(event).encode()


def _with(field: str, value) -> bytes:
    event = json.loads(_event("d1"))
    event[field] = value
    return json.dumps(event).encode()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (_without("os_desc"), "field 'os_desc' missing in 1 of 2 lines"),
        (_with("user_agent", "x"), "new field 'user_agent' in 1 of 2 lines (first at line 2)"),
        (
            _with("is_known_ci_env", "yes"),
            "field 'is_known_ci_env' is VARCHAR, expected BOOLEAN or NULL in 1 of 2 lines",
        ),
        (_with("metadata", "[]"), "field 'metadata' is VARCHAR"),
    ],
)
def test_schema_drift_fails_the_partition_and_keeps_its_rows(data_dir, tmp_path, line, expected):
    folder = tmp_path / "files"
    _write(folder, DAY, [_event("e1").encode(), _event("e2").encode()])
    assert _run(folder, DAY).success
    path = _write(folder, DAY, [_event("e3").encode(), line])
    result = _run(folder, DAY)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "schema drift" in failure and str(path) in failure and str(DAY) in failure
    assert expected in failure
    assert _rows(f"select event_id from {RAW_EVENTS.physical()} order by 1") == [("e1",), ("e2",)]


@pytest.mark.parametrize(
    ("bad_lines", "passed", "severity"), [(1, True, None), (2, False, "WARN"), (10, False, "ERROR")]
)
def test_quarantine_rate_check(data_dir, tmp_path, bad_lines, passed, severity):
    folder = tmp_path / "files"
    lines = [_event(f"e{i}").encode() for i in range(100)] + [b"{broken"] * bad_lines
    _write(folder, DAY, lines)
    result = _run(folder, DAY)
    assert result.success  # quarantining never fails the run itself
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is passed
    if severity:
        assert evaluation.severity.value == severity


def test_the_same_ingestion_loads_snowflake(snowflake, tmp_path):
    """Production path: staging in local DuckDB, rows published to Snowflake (fakesnow)."""
    folder = tmp_path / "files"
    _write(folder, DAY, MALFORMED)
    assert _run(folder, DAY, warehouse=snowflake).success
    with snowflake._resource().get_connection() as conn:
        cursor = conn.cursor()
        loaded = cursor.execute(
            f"select event_id, _line_number from {RAW_EVENTS.physical().upper()} order by 2"
        ).fetchall()
        quarantined = cursor.execute(
            f"select line_number, problem from {QUARANTINE.physical().upper()} order by 1"
        ).fetchall()
    assert loaded == [("e1", 1), ("e5", 5)]
    assert quarantined == [(2, "not valid JSON"), (3, "not valid JSON"), (4, "not valid UTF-8")]
    # a drifted file fails before anything reaches Snowflake: the day keeps its rows
    _write(folder, DAY, [_event("e6").encode(), _with("user_agent", "x")])
    result = _run(folder, DAY, warehouse=snowflake)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "new field 'user_agent' in 1 of 2 lines (first at line 2)" in failure
    assert snowflake.row_count(RAW_EVENTS) == 2


def test_a_range_stops_at_its_first_bad_day(data_dir, tmp_path):
    """Days load in parallel but fail in order: the bad day is named, days before it are
    loaded, and no day after the ones already in flight is started."""
    folder = tmp_path / "files"
    days = [DAY + dt.timedelta(days=n) for n in range(6)]
    for n, day in enumerate(days):
        if n != 1:
            _write(folder, day, [_event(f"d{n}").encode()])
    result = _run(folder, *days)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert f"Partition {days[1]}" in failure and "2026-02-03.json.gz" in failure
    loaded = {row[0] for row in _rows(f"select event_date from {RAW_EVENTS.physical()}")}
    assert days[0] in loaded
    assert not loaded & set(days[LOAD_WORKERS + 1 :])  # never started


@pytest.mark.parametrize("unreadable", [3, 300])
def test_line_numbers_stay_right_after_runs_of_unreadable_lines(data_dir, tmp_path, unreadable):
    """Up to 256 rejected lines the numbering uses literal steps, past it an as-of join;
    both must give each line its place in the file, also after consecutive rejects."""
    folder = tmp_path / "files"
    garbage = [b"\xff\xfe not utf-8"] * unreadable
    lines = [_event("first").encode(), *garbage, _event("last").encode(), b"{broken"]
    _write(folder, DAY, lines)
    assert _run(folder, DAY).success
    last = unreadable + 2
    assert _rows(f"select event_id, _line_number from {RAW_EVENTS.physical()} order by 2") == [
        ("first", 1),
        ("last", last),
    ]
    quarantined = _rows(f"select line_number, problem from {QUARANTINE.physical()} order by 1")
    assert len(quarantined) == unreadable + 1
    assert quarantined[0] == (2, "not valid UTF-8")
    assert quarantined[-1] == (last + 1, "not valid JSON")
