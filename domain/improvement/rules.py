"""The improvement plan's reference values (guide 8.3.1 (2), 8.3.2): the survey dimensions and statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

#: The four scores of a satisfaction survey (8.3.1 (2)): service attitude, speed, quality and claims convenience.
DIMENSIONS = ("attitude", "speed", "quality", "claims_convenience")
STATUSES = ("open", "closed")
#: A plan's title; an action's description; a finding or a conclusion (free text, several lines).
TITLE, ACTION, TEXT = 200, 1000, 2000
#: At most so many actions in one plan.
MAX_ACTIONS = 50


@dataclass(frozen=True)
class Scope:
    """Which surveys a figure covers: one dimension's scores, in a period (both days included), of the
    surveys about one product's and/or one sales channel's policies (None: every product / channel)."""

    dimension: str
    period_from: date
    period_to: date
    product_code: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Score:
    """A scope's measured figure: how many surveys, their average score of the dimension (1–5, to 2
    decimals; None without surveys), and the read side's log position it was measured at (asked again as
    of that position, the survey analysis answers the same)."""

    surveys: int
    average: Decimal | None
    position: int
