"""Raw telemetry ingestion against real DuckDB files and real gzip files."""

import datetime as dt
import gzip
import json

import dagster as dg
import pytest
from events_runs import materialize_events

from dop_shared.daily_files import load_workers
from dop_shared.warehouse import DuckDBWarehouse, Partition
from dop_telemetry.ingestion.contract import EXTRA_FIELDS_COLUMN, RAW_COLUMNS, REQUIRED
from dop_telemetry.ingestion.events import QUARANTINE, RAW_EVENTS, oss_telemetry_events
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


def _files(folder) -> LocalTelemetryFiles:
    return LocalTelemetryFiles(root=str(folder))


def _run(folder, *days: dt.date, warehouse=None):
    return materialize_events(_files(folder), *days, warehouse=warehouse)


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
    assert materialization.metadata["dagster/row_count"].value == 2
    assert materialization.metadata["rows_quarantined"].value == 3
    assert materialization.metadata["bytes_read"].value > 0


def test_every_partition_twice_gives_the_same_rows_and_no_duplicates(data_dir, sample_sources):
    folder = sample_sources / "telemetry" / "oss_telemetry_events"
    days = sorted(dt.date.fromisoformat(p.name[:10]) for p in folder.glob("*.json.gz"))
    result = _run(folder, *days)
    assert result.success
    first = _rows(f"select count(*), count(distinct event_id) from {RAW_EVENTS.physical()}")
    # a range run gives each day's materialization that day's own figures
    loaded = {
        m.partition: m.metadata["dagster/row_count"].value
        for m in result.asset_materializations_for_node("oss_telemetry_events")
        if m.asset_key == RAW_EVENTS.asset_key
    }
    assert sorted(loaded) == [d.isoformat() for d in days]
    per_day = dict(
        _rows(
            f"select cast(event_date as varchar), count(*) from {RAW_EVENTS.physical()} group by 1"
        )
    )
    assert loaded == per_day and sum(loaded.values()) == first[0][0]
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
    ("line", "reason"),
    [
        (_without("event_id"), "missing event_id"),
        (_without("instance_id"), "missing instance_id"),
        (_with("event_id", None), "event_id is null"),
        (_with("client_time", 1764547200), "client_time is a number"),
        (_with("action", ["a"]), "action is an array"),
        (_with("metadata", "{}"), "metadata is a string"),
        (_with("is_known_ci_env", "yes"), "is_known_ci_env is a string"),
    ],
)
def test_a_line_breaking_the_contract_is_quarantined_with_its_reason(
    data_dir, tmp_path, line, reason
):
    folder = tmp_path / "files"
    _write(folder, DAY, [_event("e1").encode(), line, _event("e3").encode()])
    result = _run(folder, DAY)
    assert result.success
    assert _rows(f"select event_id, _line_number from {RAW_EVENTS.physical()} order by 2") == [
        ("e1", 1),
        ("e3", 3),
    ]
    assert _rows(f"select line_number, problem, raw_text from {QUARANTINE.physical()}") == [
        (2, reason, line.decode())
    ]
    metadata = _raw_metadata(result)
    assert metadata["quarantine_reasons"].data == {reason: 1}


def _raw_metadata(result) -> dict:
    [materialization] = [
        m
        for m in result.asset_materializations_for_node("oss_telemetry_events")
        if m.asset_key == RAW_EVENTS.asset_key
    ]
    return materialization.metadata


def test_old_and_new_clients_load_together_and_unknown_fields_are_kept(data_dir, tmp_path):
    """One day's file from a population of clients: with user_id (new), without it (old),
    optional fields absent or null, and a field no release of the contract knows yet."""
    folder = tmp_path / "files"
    new = json.loads(_event("new"))
    new["user_id"] = "user-1"
    old = json.loads(_event("old"))  # no user_id
    sparse = {k: v for k, v in json.loads(_event("sparse")).items() if k in REQUIRED}
    nulls = json.loads(_event("nulls")) | {"metadata": None, "elapsed_time": None}
    future = dict(new, event_id="future", deployment_kind={"k": ["x", 1]}, **{"odd/key~": 2})
    lines = [json.dumps(e).encode() for e in (new, old, sparse, nulls, future)]
    _write(folder, DAY, lines)
    result = _run(folder, DAY)
    assert result.success
    rows = _rows(
        f"select event_id, user_id, os_platform, metadata, {EXTRA_FIELDS_COLUMN} "
        f"from {RAW_EVENTS.physical()} order by _line_number"
    )
    assert [r[0] for r in rows] == ["new", "old", "sparse", "nulls", "future"]
    assert [r[1] for r in rows] == ["user-1", None, None, None, "user-1"]
    assert rows[2][2] is None and rows[3][3] is None
    assert json.loads(rows[0][3]) == {"run_id_hash": "ab"}
    assert [r[4] for r in rows[:4]] == [None] * 4
    assert json.loads(rows[4][4]) == {"deployment_kind": {"k": ["x", 1]}, "odd/key~": 2}
    metadata = _raw_metadata(result)
    assert metadata["unknown_fields"].data == {"deployment_kind": 1, "odd/key~": 1}
    assert metadata["rows_quarantined"].value == 0
    known = {e.asset_check_key.name: e for e in result.get_asset_check_evaluations()}
    assert known["known_fields"].passed is False
    assert known["known_fields"].severity.value == "WARN"
    assert "deployment_kind" in known["known_fields"].description


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"{broken\n[1, 2]\n", "not a JSON object: 1 lines; not valid JSON: 1 lines"),
        (json.dumps({"event_id": "x"}).encode(), "missing action: 1 lines"),
    ],
)
def test_a_file_without_one_telemetry_line_fails_and_keeps_previous_rows(
    data_dir, tmp_path, content, expected
):
    folder = tmp_path / "files"
    _write(folder, DAY, [_event("e1").encode(), _event("e2").encode()])
    assert _run(folder, DAY).success
    path = folder / f"{DAY.isoformat()}.json.gz"
    path.write_bytes(gzip.compress(content))
    result = _run(folder, DAY)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "holds no telemetry event" in failure and str(path) in failure and str(DAY) in failure
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
    [evaluation] = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_check_key.name == "quarantine_rate"
    ]
    assert evaluation.passed is passed
    if severity:
        assert evaluation.severity.value == severity


def test_checks_are_judged_per_day_in_a_range(data_dir, tmp_path):
    """One run over three days: the day carrying a field the contract does not know fails
    known_fields, the day with many broken lines fails quarantine_rate, and every other
    day passes both (each evaluation names its partition: the UI shows them per day)."""
    folder = tmp_path / "files"
    days = [DAY + dt.timedelta(days=n) for n in range(3)]
    good = [_event(f"e{i}").encode() for i in range(100)]
    future = json.dumps(dict(json.loads(_event("f")), deployment_kind="serverless")).encode()
    _write(folder, days[0], good)
    _write(folder, days[1], [*good, future])
    _write(folder, days[2], [*good, *[b"{broken"] * 10])
    result = _run(folder, *days)
    assert result.success
    judged = {
        (e.asset_check_key.name, e.partition): (e.passed, e.severity.value)
        for e in result.get_asset_check_evaluations()
    }
    assert judged == {
        ("known_fields", str(days[0])): (True, "WARN"),
        ("known_fields", str(days[1])): (False, "WARN"),
        ("known_fields", str(days[2])): (True, "WARN"),
        ("quarantine_rate", str(days[0])): (True, "WARN"),
        ("quarantine_rate", str(days[1])): (True, "WARN"),
        ("quarantine_rate", str(days[2])): (False, "ERROR"),
    }
    # each names the day's materialization, which makes it that day's status in the UI
    evaluations = result.get_asset_check_evaluations()
    assert {e.target_materialization_data.run_id for e in evaluations} == {result.run_id}
    by_day = {e.partition: e.target_materialization_data.storage_id for e in evaluations}
    assert len(set(by_day.values())) == len(days)  # each day its own materialization


def test_a_run_of_one_table_still_records_the_other(data_dir, tmp_path):
    """Raw rows and quarantine are one transaction: selecting only the raw table (the UI's
    Materialize on it) loads both and records both."""
    folder = tmp_path / "files"
    _write(folder, DAY, MALFORMED)
    result = dg.materialize(
        [oss_telemetry_events],
        selection=[RAW_EVENTS.asset_key],
        partition_key=DAY.isoformat(),
        resources={"warehouse": DuckDBWarehouse(), "telemetry_files": _files(folder)},
    )
    recorded = {
        m.asset_key: m.metadata["dagster/row_count"].value
        for m in result.asset_materializations_for_node("oss_telemetry_events")
    }
    assert recorded == {RAW_EVENTS.asset_key: 2, QUARANTINE.asset_key: 3}
    assert _rows(f"select count(*) from {QUARANTINE.physical()}") == [(3,)]


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
    # a file with no telemetry in it fails before anything reaches Snowflake
    _write(folder, DAY, [b"{broken", _with("event_id", 7)])
    result = _run(folder, DAY, warehouse=snowflake)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "event_id is a number: 1 lines" in failure
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
    assert not loaded & set(days[load_workers(len(days)) + 1 :])  # never started


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


def test_a_snowflake_table_from_before_user_id_gains_the_new_columns(snowflake, tmp_path):
    """The raw table as it was before user_id and extra_fields (one old row in it): the next
    load adds both columns (ALTER TABLE), keeps the old row and fills the new ones."""
    target = RAW_EVENTS.physical().upper()
    old_columns = [c for c in RAW_COLUMNS if c not in ("user_id", EXTRA_FIELDS_COLUMN)]
    with snowflake._resource().get_connection() as conn:
        cursor = conn.cursor()
        cursor.execute("create schema if not exists PURINA.PROD_TELEMETRY")
        types = {
            "is_known_ci_env": "BOOLEAN",
            "event_date": "DATE",
            "_line_number": "NUMBER",
            "_loaded_at": "TIMESTAMP_NTZ",
        }
        cursor.execute(
            f"create or replace table {target} ("
            + ", ".join(f"{c.upper()} {types.get(c, 'VARCHAR')}" for c in old_columns)
            + ")"
        )
        cursor.execute(
            f"insert into {target} (EVENT_ID, ACTION, EVENT_DATE) values ('old', 'daemon_alive', %s)",
            (DAY - dt.timedelta(days=1),),
        )
    folder = tmp_path / "files"
    _write(folder, DAY, [_with("user_id", "u-1"), _with("brand_new", 1)])
    assert _run(folder, DAY, warehouse=snowflake).success
    with snowflake._resource().get_connection() as conn:
        rows = (
            conn.cursor()
            .execute(f"select event_id, user_id, extra_fields from {target} order by event_date")
            .fetchall()
        )
    assert rows[0] == ("old", None, None)
    assert [r[1] for r in rows[1:]] == ["u-1", None]
    assert json.loads(rows[2][2]) == {"brand_new": 1}
