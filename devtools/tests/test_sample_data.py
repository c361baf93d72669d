"""The generator is deterministic and shaped like the real sources."""

import datetime as dt
import gzip
import hashlib
import json
from pathlib import Path

import pytest

from dop_devtools.sample_data import SampleDataSpec, cloud_product, generate
from dop_telemetry.ingestion.contract import ACTIONS, FIELD_NAMES

ROOT = Path(__file__).resolve().parents[2]
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
        *[
            f"{feed}/2026-03-{d:02d}.json.gz"
            for feed in ("slack/member_analytics", "telemetry/oss_telemetry_events")
            for d in range(6, 11)
        ],
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
    # the contract's fields in TelemetryEntry's order; old clients leave out user_id
    for event in parsed:
        known = tuple(name for name in event if name in FIELD_NAMES)
        assert known in (FIELD_NAMES, tuple(n for n in FIELD_NAMES if n != "user_id"))
    assert {e["action"] for e in parsed} <= set(ACTIONS)
    assert [e["client_time"] for e in parsed] == sorted(e["client_time"] for e in parsed)


def test_telemetry_has_old_clients_and_a_rare_future_field(tmp_path):
    """The shapes a real feed mixes: with and without user_id, now and then an unknown
    field, elapsed_time as Dagster writes it, a user running several instances."""
    spec = SampleDataSpec(seed=3, days=30, scale=1, end_date=dt.date(2026, 3, 10))
    generate(spec, tmp_path, only=("prod_telemetry",))
    events = []
    for path in sorted((tmp_path / "telemetry/oss_telemetry_events").glob("*.json.gz")):
        for line in gzip.decompress(path.read_bytes()).split(b"\n")[:-1]:
            try:
                events.append(json.loads(line))
            except (ValueError, UnicodeDecodeError):
                pass
    without_user = sum("user_id" not in e for e in events) / len(events)
    assert 0.05 < without_user < 0.95
    unknown = [e for e in events if set(e) - set(FIELD_NAMES)]
    assert 0 < len(unknown) < 0.01 * len(events)
    assert {e["elapsed_time"] for e in events if e["action"] == "daemon_alive"} == {"None"}
    users = {}
    for e in events:
        if "user_id" in e:
            users.setdefault(e["user_id"], set()).add(e["instance_id"])
    assert max(len(instances) for instances in users.values()) > 1
    actions = {e["action"] for e in events}
    assert len(actions) >= len(ACTIONS) - 3  # every action but the rarest, at this size


def test_every_day_has_events_even_at_a_tiny_scale(tmp_path):
    """An empty day file is not telemetry (its partition fails), so the sample never
    writes one: a long-lived instance is active every day."""
    spec = SampleDataSpec(seed=11, days=120, scale=0.02, end_date=dt.date(2026, 3, 10))
    generate(spec, tmp_path, only=("prod_telemetry",))
    paths = sorted((tmp_path / "telemetry/oss_telemetry_events").glob("*.json.gz"))
    assert len(paths) == 120
    assert all(len(gzip.decompress(p.read_bytes())) > 0 for p in paths)


PRODUCT = SampleDataSpec(seed=3, days=10, scale=1.0, end_date=dt.date(2026, 3, 10))


def _product(path):
    import sqlalchemy as sa

    from dop_devtools.sample_data.cloud_product import TABLES

    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        tables = {t: conn.execute(sa.text(f"select * from {t} order by id")).all() for t in TABLES}
    engine.dispose()
    return tables


def test_cloud_product_has_the_twelve_tables_with_keys_and_consistent_relations(tmp_path):
    import sqlalchemy as sa

    from dop_devtools.sample_data.cloud_product import schema, write

    path = write(PRODUCT, tmp_path / "product.sqlite")
    assert len(schema.HIGH_FREQ) + len(schema.LOW_FREQ) >= 12
    for table in schema.metadata.sorted_tables:
        assert [c.name for c in table.primary_key.columns] == ["id"]
        assert "updated_at" in table.columns
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() > 0
            for fk in table.foreign_keys:
                orphans = conn.execute(
                    sa.text(
                        f"select count(*) from {table.name} c left join {fk.column.table.name} p "
                        f"on c.{fk.parent.name} = p.id where p.id is null"
                    )
                ).scalar()
                assert orphans == 0, f"{table.name}.{fk.parent.name}"
        statuses = {r[0] for r in conn.execute(sa.text("select status from organizations"))}
    engine.dispose()
    assert statuses == {"TRIAL", "ACTIVE", "CHURNED"}


def test_cloud_product_advances_to_a_later_date_as_if_generated_there(tmp_path):
    """A later end date on the same database inserts, updates and soft-deletes rows;
    the result is exactly the database generated for that date at once."""
    from dop_devtools.sample_data.cloud_product import write

    later = SampleDataSpec(3, PRODUCT.days + 3, PRODUCT.scale, PRODUCT.end_date + dt.timedelta(3))
    write(PRODUCT, tmp_path / "moved.sqlite")
    before = _product(tmp_path / "moved.sqlite")
    write(later, tmp_path / "moved.sqlite")
    write(later, tmp_path / "direct.sqlite")
    after = _product(tmp_path / "moved.sqlite")
    assert after == _product(tmp_path / "direct.sqlite")
    assert len(after["runs"]) > len(before["runs"])
    old = {row.id: row for row in before["deployments"]}
    changed = [row for row in after["deployments"] if row.id in old and row != old[row.id]]
    assert any(row.deleted_at is not None for row in changed)
    assert all(row.updated_at > old[row.id].updated_at for row in changed)


@pytest.mark.parametrize("kwargs", [{"days": 0}, {"scale": 0}])
def test_bad_spec_is_refused(kwargs):
    with pytest.raises(ValueError):
        SampleDataSpec(**kwargs)


def test_slack_members_join_post_and_go_quiet(tmp_path):
    """Member analytics shaped like Slack's: one line per member and day with Slack's
    fields, members who join during the period, and fresh members more active than
    old ones."""
    from dop_reporting.slack.contract import FIELDS

    spec = SampleDataSpec(seed=3, days=28, scale=0.5, end_date=dt.date(2026, 3, 10))
    generate(spec, tmp_path, only=("slack",))
    days = {}
    for path in sorted((tmp_path / "slack/member_analytics").glob("*.json.gz")):
        records = []
        for line in gzip.decompress(path.read_bytes()).splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                pass
        days[path.name[:10]] = records
    first, last = days[min(days)], days[max(days)]
    # the keys of Slack's documented example lines, in their order
    documented = ROOT / "locations/reporting/tests/fixtures/slack_member_analytics_docs.jsonl"
    assert tuple(first[0]) == tuple(json.loads(documented.read_text().splitlines()[0]))
    assert set(first[0]) <= {f.name for f in FIELDS}
    # a share of the cloud product's users are members, their address spelled as typed
    customers = {
        r["email_address"].lower() for r in last if "@customer" in r["email_address"].lower()
    }
    users = {row[1] for row in cloud_product.users(spec)}
    assert customers and customers <= users
    assert len(last) > len(first)  # members joined
    for records in days.values():  # natural key (date, user_id)
        assert len({r["user_id"] for r in records}) == len(records)
    joined_late = {r["user_id"] for r in last} - {r["user_id"] for r in first}
    recent = [r for r in last if r["user_id"] in joined_late]
    settled = [r for r in last if r["user_id"] not in joined_late]
    share = lambda rs: sum(r["is_active"] for r in rs) / len(rs)  # noqa: E731
    assert share(recent) > share(settled) > 0
    assert sum(r["messages_posted_count"] for r in last) > 0


def test_the_default_sample_is_the_local_partitions_calendar():
    from dop_shared import partitions

    keys = partitions.daily_partitions().get_partition_keys()
    assert [day.isoformat() for day in SampleDataSpec().dates()] == keys
