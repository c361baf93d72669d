"""The code locations, their teams and the dbt sources each one owns.

Ownership of dbt models is derived from this table and nothing else. A model
belongs to the location that owns its sources; a model fed by the sources of
several locations belongs to the last of them in LOCATIONS order, because later
locations consume earlier ones (reporting joins telemetry and cloud usage). Each
location's dbt selection is therefore `source:<its sources>+` minus everything
downstream of a later location's sources, which makes ownership disjoint, and,
for every model that has a source at all, total (tests/test_ownership.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LocationSpec:
    name: str
    team: str
    dbt_sources: tuple[str, ...]
    description: str
    slack_channel: str  # where the team's run-failure alerts go

    @property
    def owners(self) -> list[str]:
        return [f"team:{self.team}"]


LOCATIONS: tuple[LocationSpec, ...] = (
    LocationSpec(
        name="telemetry",
        team="oss-telemetry",
        dbt_sources=("prod_telemetry", "oss_analytics"),
        description="Dagster OSS telemetry events and PyPI downloads.",
        slack_channel="#oss-telemetry-alerts",
    ),
    LocationSpec(
        name="cloud_usage",
        team="cloud-usage",
        dbt_sources=("postgres_etl_high_freq", "postgres_etl_low_freq"),
        description="Replication of the cloud product tables and per-organization usage.",
        slack_channel="#cloud-usage-alerts",
    ),
    LocationSpec(
        name="reporting",
        team="reporting",
        dbt_sources=("slack",),
        description="Slack community stats and the reports that join every domain.",
        slack_channel="#reporting-alerts",
    ),
)


def location(name: str) -> LocationSpec:
    for spec in LOCATIONS:
        if spec.name == name:
            return spec
    raise KeyError(f"Unknown location {name!r}; known: {', '.join(s.name for s in LOCATIONS)}")


def _downstream_of(sources: tuple[str, ...]) -> str:
    return " ".join(f"source:{source}+" for source in sources)


def dbt_select(name: str, sources: tuple[str, ...] | None = None) -> str:
    """Everything downstream of the location's sources (or of a subset of them)."""
    own = location(name).dbt_sources
    chosen = own if sources is None else sources
    unknown = set(chosen) - set(own)
    if unknown:
        raise KeyError(f"{sorted(unknown)} are not sources of the {name} location ({own})")
    return _downstream_of(chosen)


def dbt_exclude(name: str, sources: tuple[str, ...] | None = None) -> str | None:
    """Everything downstream of a later (consuming) location's sources, and, when the
    location splits its models by source (to partition them differently), of its
    other sources: a model fed by two of those subsets has no owner, which the
    ownership test reports."""
    index = [spec.name for spec in LOCATIONS].index(name)
    later = tuple(source for spec in LOCATIONS[index + 1 :] for source in spec.dbt_sources)
    siblings = (
        () if sources is None else tuple(s for s in location(name).dbt_sources if s not in sources)
    )
    return _downstream_of(later + siblings) or None
