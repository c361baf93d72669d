"""Selections derived from the location table."""

import pytest

from dop_shared.locations import LOCATIONS, dbt_exclude, dbt_select, location


def test_each_location_excludes_what_later_locations_consume():
    assert dbt_select("telemetry") == "source:prod_telemetry+ source:oss_analytics+"
    assert dbt_exclude("telemetry") == (
        "source:postgres_etl_high_freq+ source:postgres_etl_low_freq+ source:slack+"
    )
    assert dbt_exclude("cloud_usage") == "source:slack+"
    assert dbt_exclude("reporting") is None


def test_every_source_has_one_owner():
    sources = [s for spec in LOCATIONS for s in spec.dbt_sources]
    assert len(sources) == len(set(sources))


def test_unknown_location_is_named():
    with pytest.raises(KeyError, match="known: telemetry, cloud_usage, reporting"):
        location("finance")
