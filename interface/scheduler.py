"""The scheduler: records what the passing of time causes (lapses, deemed consents, terminations,
renewal offers, expiries, complaint deadline breaches, claim clock breaches), as events of the actor `system`.

`inscribe tick` runs it once; the projection worker runs it on an interval. It asks the policies
register which policies have something due, after the read side has caught up with the log.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable
from uuid import UUID

from application import policies, timed
from domain.claim import Claim
from domain.complaint import Complaint
from domain.identifiers import china_today
from interface.bootstrap import Services
from projections.claims import due_for_scheduler as claims_due
from projections.complaints import due_for_scheduler as complaints_due
from projections.policies import due_for_scheduler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickReport:
    today: date
    examined: int
    changed: int


def tick(services: Services, today: date | None = None,
         progress: Callable[[int], Any] | None = None, total: Callable[[int], Any] | None = None) -> TickReport:
    """Record everything time has caused up to `today` (default: today in China)."""
    day = today or china_today()
    read_side = services.read_side
    read_side.wait_for(read_side.head(), ["policies", "complaints", "claims"], timeout=60)
    with read_side.engine.connect() as conn:
        due_policies = [UUID(i) for i in due_for_scheduler(conn, day)]
        timed_ones: list[tuple[type[Any], UUID]] = [(Complaint, UUID(i)) for i in complaints_due(conn, day)]  # 投诉处理时限
        timed_ones += [(Claim, UUID(i)) for i in claims_due(conn, day)]  # Art. 22–25 clocks
    examined = len(due_policies) + len(timed_ones)
    if total is not None:
        total(examined)
    changed = 0
    for policy_id in due_policies:
        if policies.advance(services.app, policy_id, day) is not None:
            changed += 1
        if progress is not None:
            progress(1)
    for kind, aggregate_id in timed_ones:  # deadline and clock breaches
        if timed.advance(services.app, kind, aggregate_id, day) is not None:
            changed += 1
        if progress is not None:
            progress(1)
    return TickReport(day, examined, changed)


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
            except Exception:
                log.exception("tick failed; trying again at the next interval")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
