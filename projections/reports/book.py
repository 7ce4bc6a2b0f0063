"""The book of business in SQL, shared by the reports: policies in force on a day or during a period,
premium income, and each policy's grouping columns."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Subquery, and_, func, select, union
from sqlalchemy.sql import ColumnElement

from projections.policies import policies
from projections.premiums import premium_payments
from projections.reports.base import DAY, between, known, state_on
from projections.reports.sums import POLICIES
from projections.summaries import Ask, summed
from projections.versioned import as_of

#: A report's group → the policies register column it groups by.
POLICY_GROUPS = {"product": "product_code", "line": "line", "channel": "channel", "agent": "agent_id"}


def policy_group(group: str) -> Any:
    """The policies register column of a group (product, line, channel, agent)."""
    return policies.c[POLICY_GROUPS[group]]


def policy_now(position: int | None) -> ColumnElement[bool]:
    """The policies register rows current at `position`, for a policy's product, line, channel and agent
    (which never change)."""
    condition: ColumnElement[bool] = as_of(policies, position)
    return condition


def in_force_on(position: int | None, day: date) -> Subquery:
    """Ids of the policies in force at the end of `day`: the register then showed them in force with `day`
    inside their cover (a lapse or expiry not yet recorded by then is not known)."""
    s = state_on(policies, position, day)
    return select(s.c.policy_id).where(s.c.status == "in_force", s.c.start_date <= day, s.c.end_date >= day).subquery()


def in_force_during(position: int | None, period_from: date, period_to: date) -> Subquery:
    """Ids of the policies in force on at least one day of the period: in force at the end of the day
    before it began (cover reaching into the period), or shown in force by an event in the period (issued,
    reinstated, renewed…)."""
    before = state_on(policies, position, period_from - DAY)
    at_start = select(before.c.policy_id).where(before.c.status == "in_force", before.c.end_date >= period_from)
    c = policies.c
    during = select(c.policy_id).where(
        known(policies, position), c.status == "in_force", between(c.last_event_on, period_from, period_to)
    )
    return union(at_start, during).subquery()


def premium_income(conn: Connection, position: int | None, period_from: date, period_to: date) -> Any:
    """Premiums received in the period (payments, before any refund), as recorded up to `position`."""
    p = premium_payments.c
    query = select(func.coalesce(func.sum(p.amount), 0)).where(
        p.kind == "payment", between(p.on, period_from, period_to)
    )
    if position is not None:
        query = query.where(p.position <= position)
    return conn.execute(query).scalar_one()


def policies_in_force(conn: Connection, position: int | None, day: date) -> int:
    """How many policies were in force at the end of `day` (as `in_force_on`), from the kept sums
    (projections.reports.sums.POLICIES)."""
    asks = [Ask("from", "in_force_from", day, (date.min, day)), Ask("to", "in_force_to", day, (date.min, day - DAY))]
    sums = summed(conn, POLICIES, position, asks, None)[None]
    return int(sums["from"] - sums["to"])


def policies_in_force_by_versions(conn: Connection, position: int | None, day: date) -> int:
    """`policies_in_force` counted from every policy's state on `day` (the tests compare the two)."""
    ids = in_force_on(position, day)
    return int(conn.execute(select(func.count()).select_from(ids)).scalar_one())


def joined_policy(subject: Any, column: Any, position: int | None) -> Any:
    """`subject` joined to the policies register (current at `position`) on `column` = policy_id."""
    return subject.join(policies, and_(policies.c.policy_id == column, policy_now(position)))
