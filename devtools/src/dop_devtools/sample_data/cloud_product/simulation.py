"""The product's history, simulated day by day, seen as it stands at one moment.

Everything is drawn from one random stream per day (and one for the population
that predates the first day), in an order that never depends on the moment the
database is looked at: `now`. So the rows of a later `now` extend those of an
earlier one with the same seed, scale and first day, and change some of them
(a run finishes, a trial converts, a branch deployment is closed and
soft-deleted): what an incremental replication has to pick up.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from dop_devtools.sample_data.population import weekday_factor

DAY = dt.timedelta(days=1)
PLANS = (  # id, name, monthly price (USD), included credits, share of conversions
    (1, "TRIAL", 0, 0, 0.0),
    (2, "SOLO", 10, 7_500, 0.35),
    (3, "STARTER", 100, 30_000, 0.3),
    (4, "PRO", 1_200, 150_000, 0.25),
    (5, "ENTERPRISE", 5_000, 1_000_000, 0.1),
)
PLANS_SINCE = dt.datetime(2022, 1, 1)
ROLES = (("ADMIN", 0.15), ("EDITOR", 0.45), ("LAUNCHER", 0.2), ("VIEWER", 0.2))
RUN_OUTCOMES = (("SUCCESS", 0.86), ("FAILURE", 0.1), ("CANCELED", 0.04))
JOBS = ("__ASSET_JOB", "daily_refresh", "hourly_sync", "dbt_build", "ml_training")
ASSETS = ("orders", "customers", "events", "sessions", "revenue", "features", "model")
TRIAL_DAYS = 14


def _pick(rng: random.Random, weighted) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rng.randrange(86_400))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass
class _Org:
    id: int
    created: dt.datetime
    subscribed: dt.datetime | None
    churned: dt.datetime | None
    plan_id: int
    activity: float
    deployments: list[int] = field(default_factory=list)  # full deployments
    branches: list[tuple[int, dt.datetime]] = field(default_factory=list)  # id, closed at
    users: list[int] = field(default_factory=list)

    def active_on(self, moment: dt.datetime) -> bool:
        return self.created <= moment and (self.churned is None or moment < self.churned)


class Simulation:
    """Rows of every table as they stand at `now`, generated day by day from `start`."""

    def __init__(self, seed: int, scale: float, start: dt.date, now: dt.datetime, tables=None):
        self.seed, self.scale, self.start, self.now = seed, scale, start, now
        self.tables = set(tables) if tables else None  # None: every table
        self.ids: dict[str, int] = defaultdict(int)
        self.orgs: list[_Org] = []

    def wants(self, table: str) -> bool:
        return self.tables is None or table in self.tables

    def _id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _seen(self, *moments: dt.datetime | None) -> dt.datetime:
        """The last of the moments that have happened by `now` (the row's updated_at)."""
        return max(m for m in moments if m is not None and m <= self.now)

    def _past(self, moment: dt.datetime | None) -> dt.datetime | None:
        return moment if moment is not None and moment <= self.now else None

    def days(self, activity: bool = True) -> Iterator[dict[str, list[tuple]]]:
        """One batch of rows per simulated day (the first also holds the earlier history).

        Without `activity` only sign-ups are simulated (organizations, their members):
        each day draws its sign-ups before its activity from the day's own stream, so the
        users and their ids are those of the full history, at a fraction of its cost."""
        rows: dict[str, list[tuple]] = defaultdict(list)
        if self.wants("plans"):
            rows["plans"] = [(*p[:4], PLANS_SINCE, PLANS_SINCE) for p in PLANS]
        rng = random.Random(f"{self.seed}:cloud_product:population")
        for _ in range(max(3, round(40 * self.scale))):
            created = _at(self.start, rng) - dt.timedelta(days=rng.randrange(20, 700))
            self._sign_up(rng, created, rows)
        day = self.start
        while dt.datetime.combine(day, dt.time()) < self.now:
            rng = random.Random(f"{self.seed}:cloud_product:{day.isoformat()}")
            for _ in range(int(rng.random() * 2 * self.scale + rng.random())):
                self._sign_up(rng, _at(day, rng), rows)
            for org in self.orgs if activity else ():
                self._activity(rng, org, day, rows)
            yield rows
            rows = defaultdict(list)
            day += DAY

    def _sign_up(self, rng: random.Random, created: dt.datetime, rows) -> None:
        converts = rng.random() < 0.55
        subscribed = created + dt.timedelta(days=rng.uniform(2, TRIAL_DAYS)) if converts else None
        if subscribed:
            churned = subscribed + dt.timedelta(days=rng.expovariate(1 / 500))
        else:
            churned = created + dt.timedelta(days=TRIAL_DAYS)
        plan = rng.choices([p[0] for p in PLANS], [p[4] for p in PLANS])[0]
        org = _Org(self._id("organizations"), created, subscribed, churned, plan,
                   activity=rng.paretovariate(1.5) * 4)  # fmt: skip
        self.orgs.append(org)
        public_id = f"org-{rng.getrandbits(48):012x}"
        if created <= self.now and self.wants("organizations"):
            paying, gone = self._past(subscribed), self._past(churned)
            status = "CHURNED" if gone else "ACTIVE" if paying else "TRIAL"
            rows["organizations"].append((
                org.id, public_id, f"Customer {org.id}", plan if paying else 1, status,
                created, paying, gone, created, self._seen(created, paying, gone),
            ))  # fmt: skip
        for name in ("prod", *(["staging"] if rng.random() < 0.3 else [])):
            org.deployments.append(self._deployment(rng, org, name, created, None, rows))
        self._member(rng, org, created, rows)  # the admin who signed up
        for _ in range(min(int(rng.paretovariate(1.5)), 30)):
            self._member(rng, org, created + dt.timedelta(days=rng.uniform(0, 60)), rows)
        for index in range(rng.randint(1, 3)):
            issued = created + dt.timedelta(days=rng.uniform(0, 90))
            revoked = (
                issued + dt.timedelta(days=rng.uniform(5, 300)) if rng.random() < 0.3 else None
            )
            token_id, user_id = self._id("api_tokens"), org.users[0]
            if issued <= self.now and self.wants("api_tokens"):
                rows["api_tokens"].append((
                    token_id, org.id, user_id, f"agent token {index + 1}",
                    issued, self._seen(issued, revoked), self._past(revoked),
                ))  # fmt: skip

    def _member(self, rng: random.Random, org: _Org, joined: dt.datetime, rows) -> None:
        user_id, member_id = self._id("users"), self._id("organization_users")
        org.users.append(user_id)
        role = _pick(rng, ROLES) if org.users[1:] else "ADMIN"
        removed = joined + dt.timedelta(days=rng.uniform(10, 200)) if rng.random() < 0.15 else None
        if joined > self.now:
            return
        if self.wants("users"):
            rows["users"].append((user_id, f"user{user_id}@customer{org.id}.example",
                                  f"User {user_id}", joined, joined))  # fmt: skip
        if self.wants("organization_users"):
            rows["organization_users"].append((
                member_id, org.id, user_id, role, joined, self._seen(joined, removed),
                self._past(removed),
            ))  # fmt: skip

    def _deployment(self, rng, org: _Org, name: str, created, closed, rows) -> int:
        dep_id = self._id("deployments")
        branch = closed is not None
        locations = [f"{name}_{i}" for i in range(1 if branch else rng.randint(1, 3))]
        if created <= self.now and self.wants("deployments"):
            rows["deployments"].append((
                dep_id, org.id, name, branch, created, self._seen(created, closed),
                self._past(closed),
            ))  # fmt: skip
        for location in locations:
            location_id = self._id("code_locations")
            removed = closed or (
                created + dt.timedelta(days=rng.uniform(5, 400)) if rng.random() < 0.1 else None
            )
            if created <= self.now and self.wants("code_locations"):
                rows["code_locations"].append((
                    location_id, dep_id, location, f"registry.example/{org.id}/{location}:1",
                    created, self._seen(created, removed), self._past(removed),
                ))  # fmt: skip
        return dep_id

    def _activity(self, rng: random.Random, org: _Org, day: dt.date, rows) -> None:
        noon = dt.datetime.combine(day, dt.time(12))
        if not org.active_on(noon):
            return
        if rng.random() < min(0.5, org.activity / 20):
            opened = _at(day, rng)
            closed = opened + dt.timedelta(days=rng.uniform(0.5, 10))
            name = f"pr-{len(org.branches) + 1}"
            org.branches.append((self._deployment(rng, org, name, opened, closed, rows), closed))
        open_branches = [b for b, closed in org.branches if closed > noon]
        count = int(org.activity * weekday_factor(day) * rng.uniform(0.5, 1.5))
        for _ in range(count):
            self._run(rng, org, rng.choice(org.deployments + open_branches), _at(day, rng), rows)

    def _run(self, rng: random.Random, org: _Org, deployment: int, created, rows) -> None:
        run_pk, run_id = self._id("runs"), _uuid(rng)
        job = rng.choice(JOBS)
        outcome = _pick(rng, RUN_OUTCOMES)
        started = created + dt.timedelta(seconds=rng.randint(1, 120))
        steps, clock = [], started
        for index in range(rng.randint(1, 4)):
            took = dt.timedelta(seconds=int(rng.expovariate(1 / 200)) + 1)
            steps.append((f"step_{index}", clock, clock + took, rng.choice(ASSETS)))
            clock += took
        ended = clock
        tags = [("dagster/job", job), ("dagster/from_ui", str(rng.random() < 0.2).lower())]
        if rng.random() < 0.3:
            tags.append(("dagster/partition", (created.date() - DAY).isoformat()))
        tag_ids = [self._id("run_tags") for _ in tags]
        check_id = self._id("asset_check_executions") if rng.random() < 0.3 else None
        if created > self.now:
            return
        if self.wants("runs"):
            status = (
                outcome if ended <= self.now else "STARTED" if started <= self.now else "QUEUED"
            )
            rows["runs"].append((
                run_pk, run_id, org.id, deployment, job, status, self._past(started),
                self._past(ended), created, self._seen(created, started, ended),
            ))  # fmt: skip
        if self.wants("run_tags"):
            for tag_id, (key, value) in zip(tag_ids, tags, strict=True):
                rows["run_tags"].append((tag_id, run_id, key, value, created, created))
        for index, (step_key, step_start, step_end, asset) in enumerate(steps):
            last = index == len(steps) - 1
            self._step(rng, run_id, deployment, step_key, step_start, step_end, asset,
                       "FAILURE" if last and outcome == "FAILURE" else "SUCCESS", rows)  # fmt: skip
        if check_id and ended <= self.now and self.wants("asset_check_executions"):
            rows["asset_check_executions"].append((
                check_id, run_id, deployment, steps[-1][3], "row_count_positive",
                outcome == "SUCCESS", ended, ended,
            ))  # fmt: skip

    def _step(self, rng, run_id, deployment, step_key, started, ended, asset, outcome, rows):
        step_id = self._id("step_stats")
        materializes = outcome == "SUCCESS" and rng.random() < 0.8
        materialization_id = self._id("asset_materializations") if materializes else None
        if started > self.now:
            return
        if self.wants("step_stats"):
            done = ended <= self.now
            rows["step_stats"].append((
                step_id, run_id, step_key, outcome if done else "IN_PROGRESS", started,
                self._past(ended), started, self._seen(started, ended),
            ))  # fmt: skip
        if materializes and ended <= self.now and self.wants("asset_materializations"):
            rows["asset_materializations"].append((
                materialization_id, run_id, deployment, asset, step_key,
                ended, ended,
            ))  # fmt: skip
