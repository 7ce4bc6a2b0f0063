"""The demo's simulated world: dated actions on an agenda, the staff who act, the simulated clock,
and the tally of paths taken and commands refused.

Every random draw comes from one `random.Random`, and actions run in (date, order scheduled), so a
seed always gives the same book (the ids differ: they are random UUIDs).
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.context import CommandContext
from application.demo.people import Party
from domain.clock import SimulatedClock, system_clock
from domain.errors import DomainError
from domain.identifiers import CHINA_TZ

T = TypeVar("T")
P = ParamSpec("P")
DAY = timedelta(days=1)

#: Staff ids by role. Assessors, investigators and managers are named in commands, not roles.
STAFF: dict[str, tuple[str, ...]] = {
    "agent": (
        "agent-lihua",
        "agent-wangfang",
        "agent-zhangwei",
        "agent-liuyang",
        "agent-chenjing",
        "agent-zhaolei",
        "agent-sunli",
        "agent-zhoumin",
    ),
    "underwriter": ("uw-chenhao", "uw-yangxue", "uw-huangbo"),
    "senior_underwriter": ("uw-sunqiang",),
    "claims_handler": ("ch-wuyan", "ch-xutao", "ch-hejun", "ch-gaoyu"),
    "claims_manager": ("cm-guoping",),
    "complaints_officer": ("co-linna", "co-luoqi", "co-songyu"),
    "service_manager": ("sm-zhouyan", "sm-qianrui"),
    "risk_officer": ("ro-fengjie",),
    "marketing": ("mk-tangyi", "mk-xiaoyu"),
}
COMPLAINTS_MANAGER = "co-mgr-majie"
ASSESSORS = ("assessor-tang", "assessor-han", "assessor-feng")
INVESTIGATORS = ("inv-deng", "inv-cao", "inv-peng")


class World:
    """The agenda, the clock and the tallies of one demo build."""

    def __init__(
        self,
        app: InscribeApplication,
        rng: random.Random,
        clock: SimulatedClock,
        start: date,
        end: date,
        activity: float = 1.0,
    ) -> None:
        self.app = app
        self.rng = rng
        self.clock = clock
        self.activity = activity  # scales how often claims, complaints and service requests come
        self.start, self.end, self.day = start, end, start
        self._limit = datetime.combine(start, time(23, 30), CHINA_TZ)
        self._agenda: list[tuple[date, int, Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self._order = itertools.count()
        self._quota: dict[str, int] = {}
        self.paths: Counter[str] = Counter()  # what the book went through: "claim-path:disputed", …
        self.refused: Counter[str] = Counter()  # "pay_premium: policy-not-in-force", …
        self.parties: list[Party] = []  # every customer registered, in order
        self.complaints: list[UUID] = []
        self.requests: list[UUID] = []
        self.plans: list[UUID] = []  # improvement plans still open (application.demo.improvement)
        self.indicators: list[UUID] = []  # key risk indicators (application.demo.risks)

    # -- time ---------------------------------------------------------------------------------

    def at(self, day: date, action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `action(*args, **kwargs)` on `day` (today at the earliest); nothing after the last day."""
        day = max(day, self.day)
        if day <= self.end:
            heapq.heappush(self._agenda, (day, next(self._order), action, args, kwargs))

    def later(self, days: int, action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.at(self.day + days * DAY, action, *args, **kwargs)

    def begin(self, day: date, hour: int) -> None:
        """Move the clock to `hour` o'clock (China time) on `day`, never past the real now."""
        self.day = day
        real = system_clock() - timedelta(seconds=1)
        self._limit = min(datetime.combine(day, time(23, 30), CHINA_TZ), real)
        self.clock.set(min(datetime.combine(day, time(hour), CHINA_TZ), real))

    def run_due(self) -> int:
        """Run today's actions, also those they schedule for today; how many ran."""
        ran = 0
        while self._agenda and self._agenda[0][0] <= self.day:
            _, _, action, args, kwargs = heapq.heappop(self._agenda)
            if self.clock() < self._limit - timedelta(seconds=20):  # spread the day's work over the day
                self.clock.advance(timedelta(seconds=20))
            action(*args, **kwargs)
            ran += 1
        return ran

    # -- people and chance ------------------------------------------------------------------------

    def ctx(self, role: str, actor: str | None = None, reason: str | None = None) -> CommandContext:
        """A batch command by `actor` (default: someone of the role)."""
        return CommandContext(
            actor_id=actor or self.rng.choice(STAFF[role]), actor_role=role, channel="batch", reason=reason
        )

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def days(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def pick(self, name: str, options: Sequence[T], weights: Sequence[float]) -> T:
        """A weighted choice, except that the first draws of `name` take each option once in turn, so a
        small book still goes through every path."""
        n = self._quota.get(name, 0)
        self._quota[name] = n + 1
        if n < len(options):
            return options[n]
        return self.rng.choices(options, weights=weights)[0]

    # -- commands ---------------------------------------------------------------------------------

    def attempt(
        self, label: str, command: Callable[P, CommandResult], *args: P.args, **kwargs: P.kwargs
    ) -> CommandResult | None:
        """Run a command; a refusal (which records nothing) is tallied under its code, not raised."""
        try:
            return command(*args, **kwargs)
        except DomainError as refusal:
            field = refusal.details.get("field")
            self.refused[f"{label}: {refusal.code}" + (f" ({field})" if field else "")] += 1
            return None
