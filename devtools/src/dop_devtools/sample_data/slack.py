"""Slack member analytics of the community workspace, as admin.analytics.getFile
(type=member) returns them: one gzip JSON-lines file a day, one object per member.

Members join over the period (a steady trickle, more on weekdays), are very active in
their first weeks, then most of them go quiet; a core stays. Each day is drawn from its
own random stream (any day can be rebuilt alone). About 0.1% of lines are mangled, as
a collector would, to exercise the quarantine.

A share of the cloud product's users (cloud_product.users: same seed, scale and days) are
members too, under the same e-mail address spelled as people type it (case varies): what
rpt_organization_account_health joins on, through the salted hash. Lines carry the fields
of Slack's documented example files, in their order (no team_id).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from dataclasses import dataclass, replace
from pathlib import Path

from dop_devtools.sample_data import cloud_product
from dop_devtools.sample_data.population import weekday_factor
from dop_devtools.sample_data.spec import SampleDataSpec
from dop_reporting.slack.contract import FIELDS

BASE_MEMBERS = 1500  # members at the start, at scale 1
JOINS_PER_DAY = 12  # new members a weekday, at scale 1
MALFORMED_RATE = 0.001
CUSTOMER_SHARE = 0.4  # of the cloud product's users, who are community members too
ENTERPRISE_ID = "E0DAGSTER"
# What Slack's documented member files hold, in their order: the contract's fields but
# team_id (SDK types only) and enterprise_employee_number (SCIM, not in a community).
_FIELD_NAMES = tuple(
    f.name for f in FIELDS if f.name not in ("team_id", "enterprise_employee_number")
)


@dataclass(frozen=True)
class Member:
    user_id: str
    email: str
    joined: dt.date
    engagement: float  # chance of being active on a weekday when fresh
    half_life_days: float  # how fast the engagement fades
    floor: float  # what is left of it for good
    poster: float  # share of active days with a message
    is_guest: bool


def members(spec: SampleDataSpec) -> list[Member]:
    """Everyone who joins by the end of the period, drawn once from the seed."""
    rng = random.Random(f"{spec.seed}:slack:members")
    start = spec.start_date
    joins: list[dt.date] = [
        start - dt.timedelta(days=rng.randint(30, 900))
        for _ in range(int(BASE_MEMBERS * spec.scale))
    ]
    for day in spec.dates():
        expected = JOINS_PER_DAY * spec.scale * weekday_factor(day)
        joins += [day] * (int(expected) + (rng.random() < expected - int(expected)))
    result = []
    for number, joined in enumerate(joins):
        result.append(
            Member(
                user_id=f"U{number:08d}",
                email=f"member{number}@example.com",
                joined=joined,
                engagement=rng.uniform(0.3, 0.95),
                half_life_days=rng.expovariate(1 / 20) + 2,
                floor=rng.choice((0.0, 0.0, 0.02, 0.1, 0.4)),
                poster=rng.uniform(0.05, 0.6),
                is_guest=rng.random() < 0.02,
            )
        )
    return _with_customers(spec, result)


def _with_customers(spec: SampleDataSpec, everyone: list[Member]) -> list[Member]:
    """Give a share of the cloud product's users a member's place, with their address."""
    rng = random.Random(f"{spec.seed}:slack:customers")
    chosen = [row[1] for row in cloud_product.users(spec) if rng.random() < CUSTOMER_SHARE]
    places = rng.sample(range(len(everyone)), min(len(chosen), len(everyone)))
    result = list(everyone)
    for place, email in zip(places, chosen, strict=False):
        spelled = rng.choice((email, email.capitalize(), email.upper()))
        result[place] = replace(result[place], email=spelled)
    return result


def _line(member: Member, day: dt.date, rng: random.Random) -> dict:
    age = (day - member.joined).days
    fading = 0.5 ** (age / member.half_life_days)
    chance = (member.floor + (member.engagement - member.floor) * fading) * weekday_factor(day)
    active = rng.random() < chance
    posted = rng.randint(1, 12) if active and rng.random() < member.poster else 0
    in_channels = rng.randint(0, posted)
    claimed = dt.datetime.combine(member.joined, dt.time(9), dt.UTC)
    values = {
        "enterprise_id": ENTERPRISE_ID,
        "date": day.isoformat(),
        "user_id": member.user_id,
        "email_address": member.email,
        "is_guest": member.is_guest,
        "is_billable_seat": not member.is_guest,
        "is_active": active,
        "is_active_ios": active and rng.random() < 0.15,
        "is_active_android": active and rng.random() < 0.08,
        "is_active_desktop": active and rng.random() < 0.9,
        "reactions_added_count": rng.randint(0, 8) if active else 0,
        "messages_posted_count": posted,
        "channel_messages_posted_count": in_channels,
        "files_added_count": int(active and rng.random() < 0.05),
        "is_active_apps": active and rng.random() < 0.1,
        "is_active_workflows": False,
        "is_active_slack_connect": False,
        "total_calls_count": 0,
        "slack_calls_count": 0,
        "slack_huddles_count": int(active and rng.random() < 0.02),
        "search_count": rng.randint(0, 5) if active else 0,
        "date_claimed": int(claimed.timestamp()),
    }
    return {name: values[name] for name in _FIELD_NAMES}


def day_lines(spec: SampleDataSpec, everyone: list[Member], day: dt.date) -> list[str]:
    rng = random.Random(f"{spec.seed}:slack:{day.isoformat()}")
    lines = []
    for member in everyone:
        if member.joined > day:
            continue
        line = json.dumps(_line(member, day, rng), separators=(",", ":"))
        if rng.random() < MALFORMED_RATE:
            line = line[: rng.randint(5, len(line) - 5)]  # cut short mid-record
        lines.append(line)
    return lines


def write(spec: SampleDataSpec, folder: Path) -> Path:
    everyone = members(spec)
    folder.mkdir(parents=True, exist_ok=True)
    for day in spec.dates():
        path = folder / f"{day.isoformat()}.json.gz"
        payload = "".join(f"{line}\n" for line in day_lines(spec, everyone, day))
        tmp = path.with_suffix(".tmp")
        # mtime=0 keeps the gzip header, and so the file's bytes, deterministic
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(payload.encode())
        tmp.replace(path)
    return folder
