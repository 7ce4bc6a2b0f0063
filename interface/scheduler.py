"""The scheduler: records what the passing of time causes (lapses, deemed consents, terminations,
renewal offers, expiries, complaint deadline breaches, claim clock breaches, the monthly measurement of each key
risk indicator and its alerts), as events of the actor `system`.

`inscribe tick` runs it once; the projection worker runs it on an interval. It asks the policies
register which policies have something due, after the read side has caught up with the log.

Each aggregate is handled on its own (SPEC §11): one that fails is logged with its traceback and
listed in the report's `failures`, and the others go on. A failed aggregate leaves nothing behind:
its copy was taken out of the application's cache when loaded and its unsaved events are dropped
with it (and any cached copy is forgotten), so the next aggregate, and the next tick, start clean.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from application.commands import policies as policies
from application.commands import risks as risks
from application.commands import timed as timed
from domain.claim.aggregate import Claim
from domain.complaint.aggregate import Complaint
from domain.identifiers import china_today
from interface.bootstrap import Services
from interface.metrics import record_tick
from projections.due import due_on

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickFailure:
    """An aggregate whose time could not be recorded: its kind (policy, complaint, claim), id and error."""

    kind: str
    id: str
    error: str

    def __str__(self) -> str:
        return f"{self.kind} {self.id}: {self.error}"


@dataclass(frozen=True)
class TickReport:
    today: date
    examined: int
    changed: int
    failures: tuple[TickFailure, ...] = ()


def tick(
    services: Services,
    today: date | None = None,
    progress: Callable[[int], Any] | None = None,
    total: Callable[[int], Any] | None = None,
) -> TickReport:
    """Record everything time has caused up to `today` (default: today in China), each aggregate on its
    own: one that fails is logged and reported in `failures`; the others go on."""
    day = today or china_today()
    read_side = services.read_side
    began = read_side.head()
    # The clocks wait for their own registers only: a register the indicators read that is faulted or behind
    # fails those indicators (each its own failure, ReadSideBehind), never the lapses and deadlines.
    read_side.wait_for(began, ["policies", "complaints", "claims"], timeout=60)
    found = due_on(read_side, day)
    # First the key risk indicators (ch. 9), each measured once a month from the reports at the head of the log,
    # before anything this tick records moves it on.
    due: list[tuple[str, Callable[[], Any], UUID]] = [
        ("indicator", _indicator(services, i, day, began), i) for i in found.indicators
    ]
    due += [("policy", _policy(services, policy_id, day), policy_id) for policy_id in found.policies]
    timed_ones: list[tuple[type[Any], UUID]] = [(Complaint, i) for i in found.complaints]  # 投诉处理时限
    timed_ones += [(Claim, i) for i in found.claims]  # Art. 22–25 clocks
    due += [
        (kind.__name__.lower(), _timed(services, kind, aggregate_id, day), aggregate_id)
        for kind, aggregate_id in timed_ones
    ]  # deadline and clock breaches
    if total is not None:
        total(len(due))
    changed = 0
    failures: list[TickFailure] = []
    outcomes: list[tuple[str, str]] = []  # (kind, changed|unchanged|failed), counted (interface.metrics)
    for kind_name, advance, aggregate_id in due:
        try:
            outcomes.append((kind_name, "unchanged"))
            if advance() is not None:
                changed += 1
                outcomes[-1] = (kind_name, "changed")
        except Exception as error:  # one aggregate must not stop the clock for the others
            log.exception("tick %s: %s %s failed; the others go on", day, kind_name, aggregate_id)
            services.app.forget_cached(aggregate_id)
            failures.append(TickFailure(kind_name, str(aggregate_id), f"{type(error).__name__}: {error}"))
            outcomes[-1] = (kind_name, "failed")
        finally:
            if progress is not None:
                progress(1)
    record_tick("partial" if failures else "completed", outcomes)
    return TickReport(day, len(due), changed, tuple(failures))


def _policy(services: Services, policy_id: UUID, day: date) -> Callable[[], Any]:
    return lambda: policies.advance(services.app, policy_id, day)


def _indicator(services: Services, indicator_id: UUID, day: date, began: int) -> Callable[[], Any]:
    return lambda: risks.measure_due(services.app, indicator_id, day, began)


def _timed(services: Services, kind: type[Any], aggregate_id: UUID, day: date) -> Callable[[], Any]:
    return lambda: timed.advance(services.app, kind, aggregate_id, day)


class Ticker:
    """Runs `tick` every `interval` seconds in a background thread (the worker's job)."""

    def __init__(self, services: Services, interval: float = 3600.0) -> None:
        self.services = services
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ticker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = tick(self.services)
                if report.changed:
                    log.info("tick %s: %d of %d due policies changed", report.today, report.changed, report.examined)
                for failure in report.failures:  # each was logged with its traceback; the clock goes on
                    log.error("tick %s: %s failed (tried again at the next interval)", report.today, failure)
            except Exception:
                record_tick("failed")
                log.exception("tick failed; trying again at the next interval")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
