"""Slack member analytics through the shared JSON-lines machinery, on real DuckDB files:
one row per member and day, broken lines quarantined, the e-mail address never kept."""

import datetime as dt
import gzip
import json
import subprocess
import sys

import dagster as dg
import pytest
from daily_runs import materialize_days
from dbt_runs import dbt_cli

from dop_reporting.definitions import defs
from dop_reporting.slack.member_analytics import QUARANTINE, RAW, slack_member_analytics
from dop_reporting.slack.privacy import LOCAL_SALT, EmailHashing, email_hash
from dop_reporting.slack.sources import LocalSlackAnalyticsFiles
from dop_shared.warehouse import DuckDBWarehouse

DAY = dt.date(2026, 2, 2)


def _record(user_id: str, email: str = "ann@example.com", **changes) -> bytes:
    record = {
        "enterprise_id": "E1",
        "team_id": "T1",
        "date": DAY.isoformat(),
        "user_id": user_id,
        "email_address": email,
        "is_guest": False,
        "is_billable_seat": True,
        "is_active": True,
        "messages_posted_count": 3,
        "date_claimed": 1760000000,
    } | changes
    return json.dumps(record).encode()


def _run(folder, *days):
    files = LocalSlackAnalyticsFiles(root=str(folder))
    resources = {
        "warehouse": DuckDBWarehouse(),
        "slack_files": files,
        "email_hashing": EmailHashing(),
    }
    return materialize_days([slack_member_analytics], resources, *days)


def _rows(sql: str):
    with DuckDBWarehouse().connect(read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_a_day_loads_one_row_per_member_and_quarantines_broken_lines(data_dir, tmp_path):
    folder = tmp_path / "slack"
    folder.mkdir()
    lines = [
        _record("U1"),
        _record("U2", "bob@example.com")[:60],  # cut short
        _record("U3", messages_posted_count="many"),
        _record("U4", is_active=None),  # optional flag null: loads
    ]
    (folder / f"{DAY}.json.gz").write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    result = _run(folder, DAY)
    assert result.success
    assert _rows(
        f"select user_id, date, is_active, messages_posted_count from {RAW.physical()}"
    ) == [
        ("U1", DAY, True, 3),
        ("U4", DAY, None, 3),
    ]
    quarantined = _rows(
        f"select line_number, problem, raw_text from {QUARANTINE.physical()} order by 1"
    )
    assert [(n, p) for n, p, _ in quarantined] == [
        (2, "not valid JSON"),
        (3, "messages_posted_count is a string"),
    ]
    # the address is masked in the quarantine too, parsed or not
    assert all("@" not in raw for _, _, raw in quarantined)
    assert json.loads(quarantined[1][2])["email_address"] == "<dropped>"


def test_no_email_address_lands_anywhere_in_the_warehouse(data_dir):
    """The whole generated sample through the asset: no column of any table in any of the
    warehouse's databases holds an e-mail address; each member's address is there only
    as its salted hash, the same the dbt macro computes."""
    folder = data_dir / "sources/slack/member_analytics"
    days = sorted(p.name[:10] for p in folder.glob("*.gz"))
    result = _run(folder, *map(dt.date.fromisoformat, days))
    assert result.success
    sent = {}  # (date, user_id) -> address, from the files
    for day in days:
        for line in gzip.decompress((folder / f"{day}.json.gz").read_bytes()).splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the sample's mangled lines, quarantined
            sent[(dt.date.fromisoformat(record["date"]), record["user_id"])] = record[
                "email_address"
            ]
    stored = dict(
        ((d, u), h) for d, u, h in _rows(f"select date, user_id, email_hash from {RAW.physical()}")
    )
    assert stored and set(stored) <= set(sent)
    assert all(h == email_hash(sent[key], LOCAL_SALT) for key, h in stored.items())
    assert any(sent[key] != sent[key].lower() for key in stored)  # spelled as typed
    assert all(len(h) == 64 and h != email_hash(sent[k], "another salt") for k, h in stored.items())
    [(loaded,)] = _rows(f"select count(*) from {RAW.physical()}")
    assert loaded > 100
    with DuckDBWarehouse().connect(read_only=True) as conn:
        tables = conn.execute(
            "select database_name, schema_name, table_name from duckdb_tables()"
        ).fetchall()
        for database, schema, table in tables:
            columns = [
                c[0] for c in conn.execute(f"describe {database}.{schema}.{table}").fetchall()
            ]
            for column in columns:
                [(hits,)] = conn.execute(
                    f"select count(*) from {database}.{schema}.{table} "
                    f"where cast(\"{column}\" as varchar) like '%@%'"
                ).fetchall()
                assert hits == 0, f"{database}.{schema}.{table}.{column}"
        columns = [c[0] for c in conn.execute(f"describe {RAW.physical()}").fetchall()]
    assert "email_address" not in columns


ADDRESSES = [
    "Ann@Example.com",
    "  ann@example.com ",  # spaces trimmed
    "\u00a0ann@example.com\u00a0",  # a no-break space is not a space: kept, as dbt does
    "\tann@example.com",  # nor is a tab
    "ann @example.com",  # a space inside: kept
    "   ",  # nothing but spaces: no address
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_stored_hash_is_the_one_privacy_email_hash_computes(data_dir, tmp_path, address):
    """The ingestion's SQL normalizes an address as privacy.email_hash does, and as the dbt
    macro is written to (lower case, spaces trimmed and nothing else; test_account_health
    joins through it), or members and Dagster+ users stop matching."""
    folder = tmp_path / "slack"
    folder.mkdir()
    (folder / f"{DAY}.json.gz").write_bytes(gzip.compress(_record("U1", address) + b"\n"))
    assert _run(folder, DAY).success
    stored = _rows(f"select email_hash from {RAW.physical()}")
    assert stored == [(email_hash(address, LOCAL_SALT),)]
    # random hex: stored as it is, without DuckDB's costly search for an encoding
    [(ddl,)] = _rows(
        "select sql from duckdb_tables() where database_name = 'purina' "
        "and table_name = 'slack_member_analytics'"
    )
    assert "email_hash VARCHAR USING COMPRESSION Uncompressed" in ddl


def test_the_dbt_macro_hashes_every_address_as_the_ingestion_does(data_dir, tmp_path):
    """dbt's email_hash macro (the Dagster+ users' side of the join), run by real dbt on
    DuckDB over the addresses above, gives privacy.email_hash's hash for each: no-break
    spaces and tabs kept, spaces trimmed, nothing but spaces no address."""
    from dop_shared.dbt import dbt_vars
    from dop_shared.paths import dbt_project_dir

    (data_dir / "warehouse").mkdir()
    literals = ["'" + address.replace("'", "''") + "'" for address in ADDRESSES]  # SQL
    inline = " union all ".join(
        f'select {n} as n, {{{{ email_hash("{literal}") }}}} as h'
        for n, literal in enumerate(literals)
    )
    shown = dbt_cli(
        "show",
        "--inline",
        inline,
        "--limit",
        str(len(ADDRESSES)),
        "--output",
        "json",
        "--log-format",
        "json",
        "--log-path",
        str(tmp_path / "logs"),
        profiles_dir=dbt_project_dir(),
        target_path=tmp_path / "target",
        variables=dbt_vars(),
    )
    assert shown.returncode == 0, shown.stdout[-3000:]
    [preview] = [
        json.loads(event["data"]["preview"])
        for event in map(json.loads, shown.stdout.splitlines())
        if "preview" in event.get("data", {})
    ]
    hashed = {row["n"]: row["h"] for row in preview}
    assert hashed == {n: email_hash(a, LOCAL_SALT) for n, a in enumerate(ADDRESSES)}
    assert len(set(hashed.values())) == 5  # tab, no-break space and inner space differ


_PINNED_RUN = """
import datetime as dt, os, sys
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core left to the process
import dagster as dg
from dop_reporting.slack.member_analytics import slack_member_analytics
from dop_reporting.slack.privacy import EmailHashing
from dop_reporting.slack.sources import LocalSlackAnalyticsFiles
from dop_shared.warehouse import DuckDBWarehouse
days = [dt.date.fromisoformat(d) for d in sys.argv[2:]]
with DuckDBWarehouse().staging() as staging, staging.connection() as conn:
    staging.share_cores(1)
    [(threads,)] = conn.execute("select current_setting('threads')").fetchall()
resources = {"warehouse": DuckDBWarehouse(), "email_hashing": EmailHashing(),
             "slack_files": LocalSlackAnalyticsFiles(root=sys.argv[1])}
instance = dg.DagsterInstance.ephemeral()
result = dg.materialize([slack_member_analytics], resources=resources, instance=instance,
    tags={"dagster/asset_partition_range_start": sys.argv[2],
          "dagster/asset_partition_range_end": sys.argv[-1]})
said = [e.user_message for e in instance.all_logs(result.run_id) if "at a time" in e.user_message]
print(result.success, threads, said)
"""


def test_a_process_limited_to_one_core_loads_one_day_at_a_time(data_dir, tmp_path):
    """The loads size themselves on the cores the process may use (affinity, a container's
    CPU quota), not on the machine's: pinned to one core, days load one at a time on one
    DuckDB thread, and the run log says so."""
    folder = tmp_path / "slack"
    folder.mkdir()
    days = [DAY + dt.timedelta(days=n) for n in range(3)]
    for day in days:
        line = _record("U1", date=day.isoformat())
        (folder / f"{day}.json.gz").write_bytes(gzip.compress(line + b"\n"))
    out = subprocess.run(
        [sys.executable, "-c", _PINNED_RUN, str(folder), *map(str, days)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == (
        "True 1 ['Loading 3 day(s), 1 at a time (1 cores).']"
    )
    assert len(_rows(f"select * from {RAW.physical()}")) == 3


def test_a_missing_day_fails_naming_the_file_and_keeps_other_days(data_dir, tmp_path):
    folder = tmp_path / "slack"
    folder.mkdir()
    (folder / f"{DAY}.json.gz").write_bytes(gzip.compress(_record("U1") + b"\n"))
    assert _run(folder, DAY).success
    missing = DAY + dt.timedelta(days=1)
    result = _run(folder, missing)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert f"{missing}.json.gz" in failure and f"Partition {missing}" in failure
    assert _rows(f"select user_id from {RAW.physical()}") == [("U1",)]


def test_location_loads_alone_and_consumes_the_other_two(dbt_manifest):
    loaded = defs()
    specs = {s.key.to_user_string(): s for a in loaded.assets for s in a.specs}
    report = specs["purina/reporting/rpt_weekly_platform_health"]
    upstream = {d.asset_key.to_user_string() for d in report.deps}
    assert "purina/telemetry/fct_oss_active_instances_weekly" in upstream
    assert "purina/cloud_usage/fct_cloud_organization_usage_daily" in upstream
    assert report.owners == ["team:reporting"]
    health = specs["purina/reporting/rpt_organization_account_health"]
    assert {d.asset_key.to_user_string() for d in health.deps} == {
        "purina/cloud_usage/fct_cloud_organization_usage_28d",
        "purina/cloud_usage/dim_cloud_organization_members",
        "purina/staging/stg_slack__member_analytics",
    }


def test_a_reporting_run_before_its_upstreams_names_the_missing_assets(data_dir, dbt_manifest):
    """The reporting marts read other locations' tables: run before those exist, the run
    fails naming the upstream assets to materialize, not with a SQL error."""
    from dop_shared.dbt import location_dbt_assets
    from dop_shared.resources import dbt_resource

    days = sorted(p.name[:10] for p in (data_dir / "sources/slack/member_analytics").glob("*.gz"))
    slack = _run(data_dir / "sources/slack/member_analytics", *map(dt.date.fromisoformat, days))
    assert slack.success  # this location's own input is there; the other two are not
    result = dg.materialize(
        [location_dbt_assets("reporting")],
        resources={"dbt": dbt_resource()},
        raise_on_error=False,
    )
    assert not result.success
    [failure] = result.get_step_failure_events()
    error = failure.event_specific_data.error.to_string()
    assert "its upstream purina/telemetry/fct_oss_active_instances_weekly has no table yet" in error
    assert "fct_oss_active_instances_weekly" in str(failure.event_specific_data.error.message)
    assert "slack_member_analytics has no table" not in error
    assert "Materialize those assets first" in error


def _api_files(standin):
    from slack_standin import ADMIN_TOKEN

    from dop_reporting.slack.sources import SlackApiAnalyticsFiles
    from dop_shared.slack import ADMIN_TOKEN_VARIABLE, DopSlackResource

    slack = DopSlackResource(
        token=ADMIN_TOKEN, token_variable=ADMIN_TOKEN_VARIABLE, base_url=standin.url
    )
    return SlackApiAnalyticsFiles(slack=slack)


def _run_api(standin, day):
    resources = {
        "warehouse": DuckDBWarehouse(),
        "slack_files": _api_files(standin),
        "email_hashing": EmailHashing(),
    }
    return materialize_days([slack_member_analytics], resources, day)


def test_a_day_slack_has_not_published_fails_and_loads_when_retried(data_dir):
    """admin.analytics.getFile through the real slack_sdk client against a local stand-in
    of Slack's Web API: file_not_yet_available fails the partition with that reason; the
    same partition materialized later loads."""
    from slack_standin import ADMIN_TOKEN, SlackStandIn, error, raw

    body = gzip.compress(_record("U1") + b"\n" + _record("U2", "bo@example.com") + b"\n")
    with SlackStandIn(tokens=(ADMIN_TOKEN,)) as slack:
        slack.script("admin.analytics.getFile", error("file_not_yet_available"), raw(body))
        first = _run_api(slack, DAY)
        assert not first.success
        failure = first.get_step_failure_events()[0].event_specific_data.error.to_string()
        assert "file_not_yet_available" in failure and f"Partition {DAY}" in failure
        assert ADMIN_TOKEN not in failure
        assert _run_api(slack, DAY).success
        [call, retried] = slack.calls("admin.analytics.getFile")
        assert retried.params == {"type": "member", "date": DAY.isoformat()}
    assert _rows(f"select user_id from {RAW.physical()} order by 1") == [("U1",), ("U2",)]


def test_a_gzip_answer_cut_short_fails_clearly_and_writes_nothing(data_dir):
    from slack_standin import ADMIN_TOKEN, SlackStandIn, raw

    body = gzip.compress(b"\n".join(_record(f"U{n}") for n in range(200)) + b"\n")
    with SlackStandIn(tokens=(ADMIN_TOKEN,)) as slack:
        slack.script("admin.analytics.getFile", raw(body[: len(body) // 2]))
        result = _run_api(slack, DAY)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert (
        "could not be read as gzip JSON lines" in failure and "Nothing of it was loaded" in failure
    )
    with DuckDBWarehouse().connect(read_only=True) as conn:
        tables = {t for (t,) in conn.execute("select table_name from duckdb_tables()").fetchall()}
    assert "slack_member_analytics" not in tables  # not even an empty day


def test_the_salt_comes_from_its_variable_which_outside_local_is_required(monkeypatch):
    from dop_reporting.slack.privacy import SALT_VARIABLE, email_hashing_resource

    seen = []

    @dg.asset
    def salted(email_hashing: EmailHashing) -> None:
        seen.append(email_hashing.salt)

    def run():
        return dg.materialize([salted], resources={"email_hashing": email_hashing_resource()})

    monkeypatch.delenv(SALT_VARIABLE, raising=False)
    run()
    monkeypatch.setenv(SALT_VARIABLE, "a-secret-salt")
    run()
    assert seen == [LOCAL_SALT, "a-secret-salt"]
    monkeypatch.setenv("DAGSTER_CLOUD_DEPLOYMENT_NAME", "prod")
    monkeypatch.delenv(SALT_VARIABLE)
    with pytest.raises(Exception, match=SALT_VARIABLE):
        run()
    assert len(seen) == 2
