"""The generator is deterministic and shaped like the real sources."""

import datetime as dt
import gzip
import hashlib
import json
import sqlite3

import pytest

from dop_devtools.sample_data import SampleDataSpec, generate

SPEC = SampleDataSpec(seed=3, days=5, scale=0.2, end_date=dt.date(2026, 3, 10))


def _digest(root):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix != ".sqlite"
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    generate(SPEC, tmp_path / "a")
    generate(SPEC, tmp_path / "b")
    generate(SampleDataSpec(seed=4, days=5, scale=0.2, end_date=SPEC.end_date), tmp_path / "c")
    a, b, c = (_digest(tmp_path / x) for x in "abc")
    assert a == b
    assert a != c
    assert sorted(a) == [
        "pypi/dagster_pypi_downloads.csv",
        "slack/member_stats.csv",
        *[f"telemetry/oss_telemetry_events/2026-03-0{d}.json.gz" for d in range(6, 10)],
        "telemetry/oss_telemetry_events/2026-03-10.json.gz",
    ]


def test_telemetry_lines_have_the_telemetry_entry_fields(tmp_path):
    generate(SPEC, tmp_path)
    path = tmp_path / "telemetry/oss_telemetry_events/2026-03-09.json.gz"
    lines = gzip.decompress(path.read_bytes()).split(b"\n")[:-1]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except (ValueError, UnicodeDecodeError):
            pass
    assert len(parsed) > 50
    assert set(parsed[0]) == {
        "action",
        "client_time",
        "event_id",
        "elapsed_time",
        "instance_id",
        "metadata",
        "python_version",
        "dagster_version",
        "os_desc",
        "os_platform",
        "run_storage_id",
        "is_known_ci_env",
    }
    assert [e["client_time"] for e in parsed] == sorted(e["client_time"] for e in parsed)


def test_cloud_product_copy_has_consistent_keys(tmp_path):
    generate(SPEC, tmp_path)
    with sqlite3.connect(tmp_path / "cloud_product/cloud_product.sqlite") as conn:
        orphans = conn.execute(
            "select count(*) from runs r left join organizations o on r.organization_id = o.id "
            "where o.id is null"
        ).fetchone()[0]
        runs = conn.execute("select count(*) from runs").fetchone()[0]
    assert runs > 0 and orphans == 0


@pytest.mark.parametrize("kwargs", [{"days": 0}, {"scale": 0}])
def test_bad_spec_is_refused(kwargs):
    with pytest.raises(ValueError):
        SampleDataSpec(**kwargs)
