"""Queries for retention (application.retention): each customer's policies, from the registers.

No table of its own: a customer's contracts are the current rows of the policies register where the
customer is applicant or insured, or that its parties table names them beneficiary of (by customer id;
also a beneficiary a change removed), or that the claims register shows them claiming on, or the
complaints register complaining about, so every answer follows the registers as they stand now. Not yet
covered: payees (the domain has no payee apart from the claimant; a claim pays its claimant).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, func, or_, select

from application.retention import Contract, CustomerRetention, customer_retention
from projections.claims import claims
from projections.complaints import complaints
from projections.customers import customers
from projections.policies import policies, policy_parties
from projections.register import Reader
from projections.runner import ReadSide

_p = policies.c
_COLUMNS = (
    _p.policy_id,
    _p.applicant_id,
    _p.insured_id,
    _p.status,
    _p.term_months,
    _p.start_date,
    _p.end_date,
    _p.last_event_on,
)


def _contract(row: Any, customer_id: str) -> Contract:
    roles = [
        name for name, holder in (("applicant", row.applicant_id), ("insured", row.insured_id)) if holder == customer_id
    ]
    return Contract(
        row.policy_id, "+".join(roles), row.status, row.term_months, row.start_date, row.end_date, row.last_event_on
    )


def contracts_of(conn: Connection, customer_id: str) -> list[Contract]:
    """The customer's policies as applicant or insured, those naming them beneficiary by customer id, and
    those they claimed on (claimant) or complained about (complainant, about the policy or one of its
    claims), as the registers show them now (Art. 87 keeps the records of every customer with a role in
    the contract)."""
    rows = conn.execute(
        select(*_COLUMNS).where(
            _p.valid_to.is_(None), or_(_p.applicant_id == customer_id, _p.insured_id == customer_id)
        )
    )
    found = {row.policy_id: _contract(row, customer_id) for row in rows}
    extra = _other_roles(conn, customer_id)
    if extra:
        for row in conn.execute(select(*_COLUMNS).where(_p.valid_to.is_(None), _p.policy_id.in_(extra))):
            own = found.get(row.policy_id)
            roles = ([own.role] if own is not None else []) + sorted(extra[row.policy_id])
            base = own or _contract(row, customer_id)
            found[row.policy_id] = replace(base, role="+".join(r for r in roles if r))
    return list(found.values())


def _other_roles(conn: Connection, customer_id: str) -> dict[str, set[str]]:
    """Policy id → the customer's roles in it other than applicant and insured: beneficiary, claimant,
    complainant."""
    k, c, b = claims.c, complaints.c, policy_parties.c
    roles: dict[str, set[str]] = {}
    for (policy_id,) in conn.execute(
        select(b.policy_id).where(b.valid_to.is_(None), b.customer_id == customer_id, b.role == "beneficiary")
    ):
        roles.setdefault(policy_id, set()).add("beneficiary")
    for (policy_id,) in conn.execute(select(k.policy_id).where(k.valid_to.is_(None), k.claimant_id == customer_id)):
        roles.setdefault(policy_id, set()).add("claimant")
    about_claim = select(k.policy_id).where(k.valid_to.is_(None), k.claim_id == c.related_claim_id).scalar_subquery()
    query = select(func.coalesce(c.related_policy_id, about_claim)).where(
        c.valid_to.is_(None), c.complainant_customer_id == customer_id
    )
    for (policy_id,) in conn.execute(query):
        if policy_id is not None:
            roles.setdefault(policy_id, set()).add("complainant")
    return roles


def all_retention(conn: Connection, customer_id: str | None = None) -> Iterator[CustomerRetention]:
    """Every customer's retention (or one's), in the order of the customers register's ids."""
    if customer_id is not None:
        found = conn.execute(
            select(customers.c.customer_id).where(
                customers.c.valid_to.is_(None), customers.c.customer_id == customer_id
            )
        ).first()
        if found is not None:
            yield customer_retention(customer_id, contracts_of(conn, customer_id))
        return
    query = select(customers.c.customer_id).where(customers.c.valid_to.is_(None))
    ids = [row[0] for row in conn.execute(query.order_by(customers.c.customer_id))]
    held: dict[str, list[Contract]] = {}
    for row in conn.execute(select(*_COLUMNS).where(_p.valid_to.is_(None))):
        for holder in {row.applicant_id, row.insured_id}:
            held.setdefault(holder, []).append(_contract(row, holder))
    others = _customers_with_other_roles(conn)
    for key in ids:
        yield customer_retention(key, contracts_of(conn, key) if key in others else held.get(key, []))


def retention(read: Reader, customer_id: str | None = None) -> list[CustomerRetention]:
    """Every customer's retention (or one's: empty if the customers register has no such customer)."""
    with read.queries.connect() as conn:
        return list(all_retention(conn, customer_id))


def _customers_with_other_roles(conn: Connection) -> set[str]:
    """Customers named beneficiary, who claimed or complained (their contracts are looked up one by one)."""
    k, c, b = claims.c, complaints.c, policy_parties.c
    beneficiaries = select(b.customer_id).where(b.valid_to.is_(None))
    claimants = select(k.claimant_id).where(k.valid_to.is_(None))
    complainants = select(c.complainant_customer_id).where(c.valid_to.is_(None), c.complainant_customer_id.is_not(None))
    return (
        {row[0] for row in conn.execute(beneficiaries)}
        | {row[0] for row in conn.execute(claimants)}
        | {row[0] for row in conn.execute(complainants)}
    )


def contracts_reader(read_side: ReadSide, wait_seconds: float) -> Callable[[str], list[Contract]]:
    """For the write side (erasure): a customer's contracts once the policies register reached the head,
    so a policy applied a moment ago is not missed (else ReadSideBehind: 503, nothing recorded)."""

    def read(customer_id: str) -> list[Contract]:
        read_side.wait_for(read_side.head(), ["policies", "claims", "complaints"], wait_seconds)
        with read_side.engine.connect() as conn:
            return contracts_of(conn, customer_id)

    return read
