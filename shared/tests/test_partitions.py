"""Local partitions cover exactly the sample; production keeps its full history."""

import datetime as dt

import pytest

from dop_shared import partitions
from dop_shared.environment import EnvironmentConfigError

PROD = {"DAGSTER_CLOUD_DEPLOYMENT_NAME": "prod"}


def test_local_partitions_are_the_sample_calendar():
    days = partitions.daily_partitions({}).get_partition_keys()
    weeks = partitions.weekly_partitions({}).get_partition_keys()
    assert (len(days), days[0], days[-1]) == (28, "2026-11-02", "2026-11-29")
    assert weeks == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]


def test_more_sample_days_widen_the_local_calendar_to_whole_weeks():
    env = {partitions.SAMPLE_DAYS_VAR: "31"}
    days = partitions.daily_partitions(env).get_partition_keys()
    assert (len(days), days[0]) == (31, "2026-10-30")
    # a week only partly in the sample is no partition: it could never be complete
    assert partitions.weekly_partitions(env).get_partition_keys()[0] == "2026-11-02"


def test_production_partitions_start_with_the_history_and_follow_the_clock():
    daily = partitions.daily_partitions(PROD)
    assert daily.get_first_partition_key() == "2024-01-01"
    yesterday = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)).isoformat()
    assert daily.get_last_partition_key() == yesterday
    assert partitions.weekly_partitions(PROD).get_first_partition_key() == "2024-01-01"


@pytest.mark.parametrize("value", ["many", "3", "-4"])
def test_a_bad_sample_length_says_what_to_set(value):
    with pytest.raises(EnvironmentConfigError, match="DOP_SAMPLE_DAYS must be"):
        partitions.sample_window({partitions.SAMPLE_DAYS_VAR: value})
