"""The system clock, injectable so tests and demo data can run on simulated time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to (tests, demo data)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            # Strictly increasing, so events recorded "at the same moment" keep their order.
            self._now += timedelta(microseconds=1)
            return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        with self._lock:
            self._now = max(self._now, moment)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


_clock: Clock = system_clock


def now() -> datetime:
    """The current moment according to the installed clock (UTC, timezone-aware)."""
    return _clock()


def install(clock: Clock) -> None:
    """Make `clock` the process-wide clock."""
    global _clock
    _clock = clock


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Use `clock` within a block (tests)."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield clock
    finally:
        _clock = previous
