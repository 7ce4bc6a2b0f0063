"""Queries for retention (application.retention): each customer's policies, from the registers.

No table of its own: a customer's contracts are the current rows of the policies register where the
customer is applicant or insured, so every answer follows the policies as they stand now.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from sqlalchemy import Connection, or_, select

from application.retention import Contract, CustomerRetention, customer_retention
from projections.customers import customers
from projections.policies import policies
from projections.runner import ReadSide

_p = policies.c
_COLUMNS = (_p.policy_id, _p.applicant_id, _p.insured_id, _p.status, _p.term_months, _p.start_date,
            _p.end_date, _p.last_event_on)


def _contract(row: Any, customer_id: str) -> Contract:
    roles = [name for name, holder in (("applicant", row.applicant_id), ("insured", row.insured_id))
             if holder == customer_id]
    return Contract(row.policy_id, "+".join(roles), row.status, row.term_months, row.start_date, row.end_date,
                    row.last_event_on)


def contracts_of(conn: Connection, customer_id: str) -> list[Contract]:
    """The customer's policies as applicant or insured, as the register shows them now."""
    rows = conn.execute(select(*_COLUMNS).where(
        _p.valid_to.is_(None), or_(_p.applicant_id == customer_id, _p.insured_id == customer_id)))
    return [_contract(row, customer_id) for row in rows]


def all_retention(conn: Connection, customer_id: str | None = None) -> Iterator[CustomerRetention]:
    """Every customer's retention (or one's), in the order of the customers register's ids."""
    if customer_id is not None:
        found = conn.execute(select(customers.c.customer_id).where(
            customers.c.valid_to.is_(None), customers.c.customer_id == customer_id)).first()
        if found is not None:
            yield customer_retention(customer_id, contracts_of(conn, customer_id))
        return
    query = select(customers.c.customer_id).where(customers.c.valid_to.is_(None))
    ids = [row[0] for row in conn.execute(query.order_by(customers.c.customer_id))]
    held: dict[str, list[Contract]] = {}
    for row in conn.execute(select(*_COLUMNS).where(_p.valid_to.is_(None))):
        for holder in {row.applicant_id, row.insured_id}:
            held.setdefault(holder, []).append(_contract(row, holder))
    for key in ids:
        yield customer_retention(key, held.get(key, []))


def contracts_reader(read_side: ReadSide, wait_seconds: float) -> Callable[[str], list[Contract]]:
    """For the write side (erasure): a customer's contracts once the policies register reached the head,
    so a policy applied a moment ago is not missed (else ReadSideBehind: 503, nothing recorded)."""

    def read(customer_id: str) -> list[Contract]:
        read_side.wait_for(read_side.head(), ["policies"], wait_seconds)
        with read_side.engine.connect() as conn:
            return contracts_of(conn, customer_id)

    return read
