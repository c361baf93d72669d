"""rpt_organization_account_health joins Dagster+ organizations to the community Slack on
the salted e-mail hash: real replication, real Slack ingestion, real dbt on DuckDB, and
Slack lines written here for known users of known organizations."""

import datetime as dt
import gzip
import json

import dagster as dg
from daily_runs import materialize_days
from dbt_runs import build_models

from dop_devtools.local_run import materialize_location
from dop_reporting.slack.member_analytics import slack_member_analytics
from dop_reporting.slack.privacy import EmailHashing
from dop_reporting.slack.sources import LocalSlackAnalyticsFiles
from dop_shared.warehouse import DuckDBWarehouse

MART = "sandbox.reporting.rpt_organization_account_health"


def _query(sql: str) -> list[tuple]:
    with DuckDBWarehouse().connect(read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _line(day: dt.date, user_id: str, email: str, messages: int) -> dict:
    return {
        "enterprise_id": "E1",
        "date": day.isoformat(),
        "user_id": user_id,
        "email_address": email,
        "is_active": messages > 0,
        "messages_posted_count": messages,
        "date_claimed": 1700000000,
    }


def test_organizations_meet_their_people_in_slack_by_hashed_email(data_dir, dbt_manifest, tmp_path):
    instance = dg.DagsterInstance.ephemeral()
    assert all(r.success for r in materialize_location("cloud_usage", instance))
    [(as_of,)] = _query(
        "select max(as_of_date) from sandbox.cloud_usage.fct_cloud_organization_usage_28d"
    )
    # an organization with two current members and a removed one
    members = _query(
        """
        select m.organization_id, u.email, m.deleted_at is not null
        from stitch.postgres_etl_low_freq.organization_users as m
        join stitch.postgres_etl_low_freq.users as u on u.id = m.user_id
        where m.organization_id in (
            select organization_id from stitch.postgres_etl_low_freq.organization_users
            group by 1 having count(*) filter (where deleted_at is null) >= 2
                and count(*) filter (where deleted_at is not null) >= 1)
        order by m.organization_id, m.id
        """
    )
    org = members[0][0]
    current = [email for o, email, removed in members if o == org and not removed]
    removed = [email for o, email, gone in members if o == org and gone]
    early = as_of - dt.timedelta(days=40)  # outside the 28 days
    days = {
        as_of: [
            _line(as_of, "U1", f"  {current[0].upper()} ", 7),  # spelled as typed
            _line(as_of, "U2", current[1], 0),
            _line(as_of, "U3", removed[0], 9),  # left the organization: not counted
            _line(as_of, "U4", "stranger@example.com", 5),
        ],
        early: [_line(early, "U2", current[1], 3)],
    }
    folder = tmp_path / "slack"
    folder.mkdir()
    for day, lines in days.items():
        body = "".join(json.dumps(line) + "\n" for line in lines).encode()
        (folder / f"{day}.json.gz").write_bytes(gzip.compress(body))
    resources = {
        "warehouse": DuckDBWarehouse(),
        "slack_files": LocalSlackAnalyticsFiles(root=str(folder)),
        "email_hashing": EmailHashing(),
    }
    for day in days:
        assert materialize_days([slack_member_analytics], resources, day).success

    built = build_models(
        "reporting", "stg_slack__member_analytics", "rpt_organization_account_health"
    )
    assert built.success
    assert all(c.passed for c in built.get_asset_check_evaluations())
    rows = {
        r[0]: r[1:]
        for r in _query(
            f"select organization_id, slack_members, slack_posting_members_last_28d, "
            f"slack_messages_last_28d, account_health from {MART}"
        )
    }
    [(organizations,)] = _query("select count(*) from sandbox.cloud_usage.dim_cloud_organizations")
    assert len(rows) == organizations
    assert rows[org][:3] == (2, 1, 7)
    assert {o: r for o, r in rows.items() if r[0]} == {org: rows[org]}  # nobody else matched
    assert rows[org][3] in ("churned", "inactive", "at_risk", "engaged")
    [(with_hash,)] = _query(
        "select count(email_hash) from sandbox.staging.stg_postgres_etl_low_freq__users"
    )
    assert with_hash > 0
    for table in ("sandbox.staging.stg_postgres_etl_low_freq__users", MART):
        columns = [c[0] for c in _query(f"describe {table}")]
        assert "email" not in columns
        for column in columns:
            assert _query(
                f"select count(*) from {table} where cast(\"{column}\" as varchar) like '%@%'"
            ) == [(0,)], f"{table}.{column}"
