"""Retention under Insurance Law Art. 87 (SPEC §9): how long a customer's and a policy's records are kept.

Records are kept at least 5 years after a contract of one year or less ends, and 10 years after a
longer one; nothing is purged earlier. These are pure functions of the policies' facts, so the
erasure command, the query and the report all answer alike.

- A contract's end: the day it was closed (surrendered, rescinded, terminated, cancelled, expired)
  or, while it still runs, the last day of its latest period; a renewal moves that day on.
- An application that never became a contract (declined, withdrawn…) starts no retention period.
- An application still under way keeps the records until it is decided: the period is *open*.
- A customer's records are kept while any of their policies' periods runs, as applicant, insured,
  beneficiary (named by customer id), claimant or complainant, until the latest of them ends. A
  customer who never held a contract has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.policy.state import TERMINAL

SHORT_CONTRACT_MONTHS = 12
SHORT_YEARS, LONG_YEARS = 5, 10


@dataclass(frozen=True)
class Contract:
    """What the policies register knows of one of a customer's policies."""

    policy_id: str
    role: str  # applicant, insured, beneficiary, claimant, complainant, joined by "+" (applicant+insured)
    status: str
    term_months: int
    start_date: date | None
    end_date: date | None
    last_event_on: date | None


@dataclass(frozen=True)
class PolicyRetention:
    policy_id: str
    role: str
    status: str
    contract_end: date | None
    years: int | None
    retention_end: date | None  # the last day the records must be kept; None: none or open
    basis: str  # retention | application-pending | no-contract

    def running(self, today: date) -> bool:
        if self.basis == "application-pending":
            return True
        return self.retention_end is not None and today <= self.retention_end


@dataclass(frozen=True)
class CustomerRetention:
    customer_id: str
    policies: tuple[PolicyRetention, ...]

    @property
    def open(self) -> bool:
        """An application under way: the period has no end yet."""
        return any(p.basis == "application-pending" for p in self.policies)

    @property
    def retention_end(self) -> date | None:
        """The last day the customer's records must be kept (None: none, or open)."""
        ends = [p.retention_end for p in self.policies if p.retention_end is not None]
        return None if self.open or not ends else max(ends)

    def running(self, today: date) -> bool:
        return any(p.running(today) for p in self.policies)


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def contract_end(contract: Contract) -> date | None:
    """The day the contract ended, or will end if nothing changes; None without a contract."""
    if contract.start_date is None:
        return None
    if contract.status in TERMINAL:
        closed = contract.last_event_on or contract.end_date
        return min(closed, contract.end_date) if closed and contract.end_date else closed
    return contract.end_date or contract.last_event_on


def policy_retention(contract: Contract) -> PolicyRetention:
    """The retention period of one policy's records (Art. 87)."""
    end = contract_end(contract)
    common = dict(policy_id=contract.policy_id, role=contract.role, status=contract.status)
    if end is None:
        basis = "no-contract" if contract.status in TERMINAL else "application-pending"
        return PolicyRetention(**common, contract_end=None, years=None, retention_end=None, basis=basis)
    years = SHORT_YEARS if contract.term_months <= SHORT_CONTRACT_MONTHS else LONG_YEARS
    return PolicyRetention(
        **common, contract_end=end, years=years, retention_end=add_years(end, years), basis="retention"
    )


def customer_retention(customer_id: str, contracts: list[Contract]) -> CustomerRetention:
    """A customer's retention: each of their policies' periods, as applicant or insured."""
    ordered = sorted(contracts, key=lambda c: c.policy_id)
    return CustomerRetention(customer_id, tuple(policy_retention(c) for c in ordered))
