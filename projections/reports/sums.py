"""The registers' report figures kept summed (projections.summaries): the same conditions the reports' SQL over
every version applies, written per row version.

Claims (the loss ratio's paid totals and reserves; claims timeliness), grouped by the policy's product and line.

A clock's outcome becomes known on the day it was met if met in time, otherwise on the first day after its due
date (projections.reports.claims_timeliness): `<clock>_met` is dated the day met (in time), `<clock>_late` the day
after the due date (not in time); each counts 1 where the clock counts at all (a rejection ends the payment
clock; an advance is due only while the amount is neither agreed nor decided by its due date).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, literal, not_, or_
from sqlalchemy.sql import ColumnElement

from projections.claims import claims
from projections.complaints import complaints
from projections.policies import policies
from projections.reports.base import days_between, json_date, json_flag
from projections.summaries import Figure, Side, Summary

CLOCKS = ("decision", "payment", "rejection_notice", "advance")


def _count(condition: Any) -> ColumnElement[Any]:
    return case((condition, 1), else_=0)


def _day_after(side: Side, day: Any) -> Any:
    if side.dialect.name == "sqlite":
        return func.date(day, "+1 day")
    return day + literal(1)


def _counted(clock: str, side: Side) -> Any:
    """Whether the row's `clock` counts at all (beside being met or due)."""
    c = side.c
    if clock == "payment":
        return func.coalesce(c.decision, "") != "rejected"
    if clock == "advance":
        due = json_date(side, c.clocks, "advance", "due_on")
        return and_(or_(c.agreed_on.is_(None), c.agreed_on > due), or_(c.decided_on.is_(None), c.decided_on > due))
    return literal(True)


def _clock_figures(clock: str) -> tuple[Figure, Figure]:
    def in_time(side: Side) -> Any:
        return json_flag(side.c.clocks, clock, "on_time")

    met = Figure(
        f"{clock}_met",
        value=lambda s: _count(and_(in_time(s), _counted(clock, s))),
        on=lambda s: json_date(s, s.c.clocks, clock, "met_on"),
    )
    late = Figure(
        f"{clock}_late",
        value=lambda s: _count(and_(not_(in_time(s)), _counted(clock, s))),
        on=lambda s: _day_after(s, json_date(s, s.c.clocks, clock, "due_on")),
    )
    return met, late


def _closed(side: Side) -> Any:
    return side.c.status == "closed"


FIGURES = (
    Figure("paid_total", value=lambda s: s.c.paid_total),
    Figure("reserve", value=lambda s: s.c.reserve),
    *(figure for clock in CLOCKS for figure in _clock_figures(clock)),
    Figure("registered", value=lambda s: literal(1), on=lambda s: s.c.reported_on),
    Figure("registered_closed", value=lambda s: _count(_closed(s)), on=lambda s: s.c.reported_on),
    Figure("first_payments", value=lambda s: literal(1), on=lambda s: s.c.first_payment_on),
    Figure(
        "days_to_payment",
        value=lambda s: case(
            (s.c.first_payment_on.is_not(None), days_between(s, s.c.first_payment_on, s.c.reported_on)), else_=0
        ),
        on=lambda s: s.c.first_payment_on,
    ),
    Figure("closed", value=lambda s: _count(_closed(s)), on=lambda s: s.c.closed_on),
    Figure("closed_paid", value=lambda s: _count(and_(_closed(s), s.c.paid_total > 0)), on=lambda s: s.c.closed_on),
)

CLAIMS = Summary(
    name="claims",
    table=claims,
    groups=(("product", "product_code"), ("line", "line")),
    policy_key="policy_id",
    columns=(
        "status",
        "reported_on",
        "first_payment_on",
        "closed_on",
        "paid_total",
        "reserve",
        "decision",
        "agreed_on",
        "decided_on",
        "clocks",
    ),
    figures=FIGURES,
    sources=("claims", "policies"),
)


def _decided(side: Side) -> Any:
    return side.c.days_allowed.is_not(None)


def _within(days: int) -> Figure:
    """Decided and notified within `days` counted days (projections.reports.complaints)."""

    def value(s: Side) -> Any:
        used = days_between(s, s.c.clock_stopped_on, s.c.clock_started_on) - s.c.paused_days
        return _count(and_(_decided(s), used <= days))

    return Figure(f"within_{days}", value=value, on=lambda s: s.c.decided_on)


#: Complaints (the complaints report), grouped by their own category and channel.
COMPLAINTS = Summary(
    name="complaints",
    table=complaints,
    groups=(("category", "category"), ("channel", "channel")),
    columns=(
        "received_on",
        "linked_to",
        "decided_on",
        "days_allowed",
        "on_time",
        "clock_started_on",
        "clock_stopped_on",
        "paused_days",
    ),
    figures=(
        Figure("received", value=lambda s: _count(s.c.linked_to.is_(None)), on=lambda s: s.c.received_on),
        Figure("decided", value=lambda s: _count(_decided(s)), on=lambda s: s.c.decided_on),
        Figure(
            "on_time", value=lambda s: _count(and_(_decided(s), s.c.on_time.is_(True))), on=lambda s: s.c.decided_on
        ),
        *(_within(days) for days in (15, 30, 60)),
    ),
    sources=("complaints",),
)


def _in_force(side: Side) -> Any:
    return _count(side.c.status == "in_force")


#: Policies in force on a day (the complaints report's whole book): shown in force with the day inside their
#: cover, i.e. in force from their start on or before the day (`in_force_from`), less those in force whose
#: cover ended before it (`in_force_to`, dated its end): a cover never ends before it starts.
POLICIES = Summary(
    name="policies",
    table=policies,
    groups=(("product", "product_code"), ("line", "line")),
    columns=("status", "start_date", "end_date"),
    figures=(
        Figure("in_force_from", value=_in_force, on=lambda s: s.c.start_date),
        Figure("in_force_to", value=_in_force, on=lambda s: s.c.end_date),
    ),
    sources=("policies",),
)
#: Every summary the read side keeps.
SUMMARIES = (CLAIMS, COMPLAINTS, POLICIES)
