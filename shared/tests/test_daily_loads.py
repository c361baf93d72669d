"""How a range's days are scheduled: side by side, reported in order, stopped by a failure."""

import datetime as dt
import threading

import pytest

from dop_shared.daily_files import LOOKAHEAD, _in_order

DAYS = [dt.date(2026, 3, 1) + dt.timedelta(days=n) for n in range(12)]


class _Loads:
    """Days that finish when the test says so (a day left blocked is a long day)."""

    def __init__(self, blocked=(), failing=()):
        self.started: list[dt.date] = []
        self.release = {day: threading.Event() for day in blocked}
        self.failing = set(failing)
        self.lock = threading.Lock()
        self.more_started = threading.Condition(self.lock)

    def __call__(self, day: dt.date) -> dt.date:
        with self.lock:
            self.started.append(day)
            self.more_started.notify_all()
        if day in self.release:
            assert self.release[day].wait(10), f"{day} never released"
        if day in self.failing:
            raise FileNotFoundError(day)
        return day

    def wait_started(self, count: int) -> list[dt.date]:
        with self.lock:
            assert self.more_started.wait_for(lambda: len(self.started) >= count, 10)
            return list(self.started)


def test_a_long_day_does_not_hold_back_the_other_worker():
    """While the first day runs long, the other worker goes on through the next days (as
    far as the lookahead), and the results still come out in day order."""
    loads = _Loads(blocked=[DAYS[0]])
    results = _in_order(loads, DAYS, workers=2)
    taken = threading.Thread(target=lambda: out.extend(results))
    out: list[dt.date] = []
    taken.start()
    ahead = 2 * LOOKAHEAD  # days 0 .. 2*LOOKAHEAD-1 may be handed out while day 0 runs
    started = loads.wait_started(ahead)
    assert started[0] == DAYS[0] and set(started) == set(DAYS[:ahead])
    assert out == []  # nothing reported before the first day is done
    loads.release[DAYS[0]].set()
    taken.join(10)
    assert out == DAYS


def test_after_a_failure_no_new_day_starts_and_the_failed_day_is_raised_in_order():
    loads = _Loads(blocked=[DAYS[0]], failing=[DAYS[1]])
    results = _in_order(loads, DAYS, workers=2)
    out: list[dt.date] = []
    error: list[BaseException] = []

    def take():
        try:
            out.extend(results)
        except FileNotFoundError as raised:
            error.append(raised)

    taken = threading.Thread(target=take)
    taken.start()
    loads.wait_started(2)  # day 0 blocked, day 1 failed at once
    loads.release[DAYS[0]].set()
    taken.join(10)
    assert out == [DAYS[0]]  # the days before the failed one are reported
    assert [e.args[0] for e in error] == [DAYS[1]]
    # the failure was seen while day 0 still ran: at most the day after it had started
    assert set(loads.started) <= set(DAYS[:3])


@pytest.mark.parametrize("workers", [1, 3])
def test_every_day_is_loaded_once_and_reported_in_order(workers):
    loads = _Loads()
    assert list(_in_order(loads, DAYS, workers)) == DAYS
    assert sorted(loads.started) == DAYS
