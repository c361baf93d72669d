"""A SQLite copy of the cloud product's Postgres tables (what Stitch replicates).

High-frequency tables change all day (runs); low-frequency ones rarely
(organizations, deployments). Timestamps are ISO-8601 text, as a Postgres
dump restored into SQLite would hold them.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import uuid
from pathlib import Path

from dop_devtools.sample_data.population import weekday_factor
from dop_devtools.sample_data.spec import SampleDataSpec

PLANS = (("SOLO", 0.35), ("STARTER", 0.3), ("PRO", 0.25), ("ENTERPRISE", 0.1))
RUN_STATUSES = (("SUCCESS", 0.86), ("FAILURE", 0.1), ("CANCELED", 0.04))

SCHEMA = """
create table organizations (
    id integer primary key,
    public_id text not null unique,
    name text not null,
    plan_type text not null,
    status text not null,
    created_at text not null,
    updated_at text not null
);
create table deployments (
    id integer primary key,
    organization_id integer not null references organizations(id),
    name text not null,
    is_branch_deployment integer not null,
    created_at text not null
);
create table runs (
    id integer primary key,
    run_id text not null unique,
    organization_id integer not null references organizations(id),
    deployment_id integer not null references deployments(id),
    status text not null,
    create_timestamp text not null,
    start_time text,
    end_time text,
    update_timestamp text not null
);
"""


def _iso(value: dt.datetime) -> str:
    return value.isoformat(sep=" ", timespec="microseconds")


def write(spec: SampleDataSpec, path: Path) -> Path:
    rng = random.Random(f"{spec.seed}:cloud_product")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    start = dt.datetime.combine(spec.start_date, dt.time())
    org_count = max(3, int(60 * spec.scale))
    organizations, deployments = [], []
    for org_id in range(1, org_count + 1):
        created = start + dt.timedelta(minutes=rng.randrange(spec.days * 1440))
        if rng.random() < 0.5:  # half the customers predate the period
            created -= dt.timedelta(days=rng.randrange(30, 700))
        plan = rng.choices([p for p, _ in PLANS], weights=[w for _, w in PLANS])[0]
        status = "ACTIVE" if rng.random() < 0.92 else "CANCELLED"
        organizations.append(
            (
                org_id,
                f"org-{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}",
                f"Customer {org_id}",
                plan,
                status,
                _iso(created),
                _iso(created),
            )
        )
        for name in ("prod", *(["staging"] if rng.random() < 0.4 else [])):
            deployments.append((len(deployments) + 1, org_id, name, 0, _iso(created)))
        for pr in range(rng.randrange(0, 4)):
            deployments.append((len(deployments) + 1, org_id, f"pr-{pr + 1}", 1, _iso(created)))

    deployments_by_org: dict[int, list[int]] = {}
    for dep_id, org_id, *_ in deployments:
        deployments_by_org.setdefault(org_id, []).append(dep_id)
    org_activity = {org[0]: rng.paretovariate(1.2) * 6 for org in organizations}
    org_created = {org[0]: dt.datetime.fromisoformat(org[5]) for org in organizations}

    runs = []
    for day in spec.dates():
        midnight = dt.datetime.combine(day, dt.time())
        for org_id, activity in org_activity.items():
            if org_created[org_id] > midnight + dt.timedelta(days=1):
                continue
            for _ in range(int(activity * weekday_factor(day) * rng.uniform(0.5, 1.5))):
                created = midnight + dt.timedelta(seconds=rng.randrange(86_400))
                started = created + dt.timedelta(seconds=rng.randint(1, 120))
                ended = started + dt.timedelta(seconds=int(rng.expovariate(1 / 600)) + 1)
                status = rng.choices([s for s, _ in RUN_STATUSES], [w for _, w in RUN_STATUSES])[0]
                runs.append(
                    (
                        len(runs) + 1,
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        org_id,
                        rng.choice(deployments_by_org[org_id]),
                        status,
                        _iso(created),
                        _iso(started),
                        _iso(ended),
                        _iso(ended),
                    )
                )

    with sqlite3.connect(tmp) as conn:
        conn.executescript(SCHEMA)
        conn.executemany("insert into organizations values (?, ?, ?, ?, ?, ?, ?)", organizations)
        conn.executemany("insert into deployments values (?, ?, ?, ?, ?)", deployments)
        conn.executemany("insert into runs values (?, ?, ?, ?, ?, ?, ?, ?, ?)", runs)
    conn.close()
    tmp.replace(path)
    return path
