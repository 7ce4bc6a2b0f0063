"""`inscribe demo`: a realistic, reproducible book of business built through the real commands over
simulated time (SPEC §11).

Customers join over the years (a third in the first two months, the rest spread out), apply, pay,
lapse, claim, complain and ask for service; every step is a command of the application layer,
dated on the simulated day with the simulated clock, and the scheduler (`tick`) records each night
what time has caused (lapses, deemed consents, renewal offers, expiries, deadline breaches). Time runs
from `start` to today (China time), so recent data is current and "as of" last year shows an earlier book.

One seed gives the same book: the same counts by status and type and the same figures (the ids are
random UUIDs). The pieces: demo_world (agenda, clock, staff), demo_people, demo_customers, demo_sales,
demo_policies, demo_claims, demo_service.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any, Protocol
from uuid import UUID

from application.app import InscribeApplication
from application.demo import campaigns as demo_campaigns
from application.demo import products as demo_products
from application.demo import reinsurance as demo_reinsurance
from application.demo import risks as demo_risks
from application.demo.customers import onboard
from application.demo.improvement import review
from application.demo.people import People
from application.demo.world import World
from domain import clock
from domain.claim.aggregate import Claim
from domain.complaint.aggregate import Complaint
from domain.identifiers import CHINA_TZ, china_today
from domain.policy.aggregate import Policy
from domain.policy.rules import add_years
from domain.service_request.aggregate import ServiceRequest

#: progress(days done, days in all, events written so far)
Progress = Callable[[int, int, int], Any]
ENTERPRISE_SHARE = 0.15
#: Aggregates the builder keeps in memory between commands (Settings.aggregate_cache): every
#: customer, policy, claim and complaint of a large book, so a command does not replay its history.
DEMO_AGGREGATE_CACHE = 100_000


class HasApp(Protocol):
    @property
    def app(self) -> InscribeApplication: ...


@dataclass(frozen=True)
class DemoSummary:
    """What a demo build made, counted on the write side when it ended."""

    seed: int
    start: date
    end: date
    customers: int
    policies: dict[str, int]  # by status
    claims: dict[str, int]
    complaints: dict[str, int]
    service_requests: dict[str, int]
    events: int
    seconds: float
    paths: dict[str, int] = field(default_factory=dict)  # what the book went through
    refused: dict[str, int] = field(default_factory=dict)  # commands refused, by command and code

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def shape(self) -> dict[str, Any]:
        """Everything a seed fixes: compare two builds with it."""
        return {
            "customers": self.customers,
            "policies": self.policies,
            "claims": self.claims,
            "complaints": self.complaints,
            "service_requests": self.service_requests,
            "paths": self.paths,
            "refused": self.refused,
            "events": self.events,
        }


def build_demo(
    services: HasApp,
    *,
    customers: int,
    years: int,
    seed: int,
    start: date | None = None,
    progress: Progress | None = None,
    tick: Callable[[date], Any] | None = None,
    activity: float = 1.0,
    settle: Callable[[], Any] | None = None,
) -> DemoSummary:
    """Build a book of `customers` over `years` (from `start`, default `years` before today) on
    simulated time. `tick(day)` runs each simulated night before the day's work: catch the read side
    up and run the scheduler (interface.demo_cli passes one); without it only commands move time.
    `activity` scales how often claims, complaints and service requests come (1: a plausible book).
    `settle()` brings the read side to the head of the log: given, each quarter begins with the review of
    the satisfaction surveys and the improvement plans (application.demo.improvement), which read it, and the
    book has a risk register and key risk indicators that the nightly `tick` measures (application.demo.risks)."""
    if customers < 1 or years < 1:
        raise ValueError("a demo needs at least one customer and one year")
    started = time.perf_counter()
    app = services.app
    end = china_today()
    first = start or add_years(end, -years)
    if first > end:
        raise ValueError(f"start {first} is after today {end}")
    rng = random.Random(seed)
    simulated = clock.SimulatedClock(datetime.combine(first, clock_time(0), CHINA_TZ))
    world = World(app, rng, simulated, first, end, activity)
    head = app.recorder.max_notification_id() or 0
    days = (end - first).days + 1
    with clock.using(simulated):
        _acquisitions(world, People(rng), customers, days)
        demo_campaigns.begin(world)
        demo_reinsurance.begin(world)
        demo_products.begin(world)
        if settle is not None:
            demo_risks.begin(world)
        for n in range(days):
            day = first + timedelta(days=n)
            world.begin(day, 1)
            if tick is not None:
                tick(day)
            if settle is not None:
                review(world, day, settle)
            world.begin(day, 9)
            world.run_due()
            if progress is not None:
                progress(n + 1, days, (app.recorder.max_notification_id() or 0) - head)
    events = (app.recorder.max_notification_id() or 0) - head
    return DemoSummary(
        seed=seed,
        start=first,
        end=end,
        customers=len(world.parties),
        policies=_statuses(app, Policy, (c.id for p in world.parties for c in p.covers)),
        claims=_statuses(app, Claim, (i for p in world.parties for c in p.covers for i in c.claims)),
        complaints=_statuses(app, Complaint, world.complaints),
        service_requests=_statuses(app, ServiceRequest, world.requests),
        events=events,
        seconds=time.perf_counter() - started,
        paths=dict(sorted(world.paths.items())),
        refused=dict(sorted(world.refused.items())),
    )


def _acquisitions(world: World, people: People, customers: int, days: int) -> None:
    """A third of the customers join in the first two months (the book the demo starts from), the
    rest spread over the years up to a week before today."""
    early = max(1, customers // 3)
    for n in range(customers):
        if n < early:
            offset = world.rng.randint(0, min(60, days - 1))
        else:
            offset = world.rng.randint(min(60, days - 1), max(min(60, days - 1), days - 8))
        kind = "enterprise" if world.rng.random() < ENTERPRISE_SHARE else "individual"
        world.at(world.start + timedelta(days=offset), onboard, world, people, kind)


def _statuses(app: InscribeApplication, kind: type[Any], ids: Iterable[UUID]) -> dict[str, int]:
    counts = Counter(app.view(kind, i).status for i in ids)
    return dict(sorted(counts.items()))
