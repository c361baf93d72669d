"""Slack workspace analytics (the daily member stats of the community workspace)."""

from __future__ import annotations

import random
from pathlib import Path

from dop_devtools.sample_data.files import write_csv
from dop_devtools.sample_data.population import weekday_factor
from dop_devtools.sample_data.spec import SampleDataSpec

COLUMNS = (
    "date",
    "total_enabled_membership_count",
    "full_members",
    "guests",
    "daily_active_members",
    "weekly_active_members",
    "daily_members_posting_messages",
    "messages_in_public_channels",
)


def rows(spec: SampleDataSpec):
    rng = random.Random(f"{spec.seed}:slack")
    members = int(12_000 * spec.scale)
    for day in spec.dates():
        members += max(int(rng.gauss(25, 10) * spec.scale), 0)
        guests = int(members * 0.01)
        daily_active = int(members * 0.09 * weekday_factor(day) * rng.uniform(0.9, 1.1))
        weekly_active = int(members * 0.27 * rng.uniform(0.95, 1.05))
        posting = int(daily_active * rng.uniform(0.08, 0.14))
        yield (
            day.isoformat(),
            members,
            members - guests,
            guests,
            daily_active,
            weekly_active,
            posting,
            int(posting * rng.uniform(2.0, 3.5)),
        )


def write(spec: SampleDataSpec, path: Path) -> Path:
    return write_csv(path, COLUMNS, rows(spec))
