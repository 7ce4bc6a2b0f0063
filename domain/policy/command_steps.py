"""The steps the policy's commands share (domain.policy.aggregate and its command groups): the
business date of a command, the status it needs, and the events that close, issue or offer renewal.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.base import AggregateCommands
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.policy import events as ev
from domain.policy.cover_on import PolicyCover
from domain.policy.rules import DAY, premium_schedule, term_end, waiting_period_end
from domain.policy.state import TERMINAL
from domain.policy.terms import contract_terms
from domain.values import check_date, check_text, money


class PolicySteps(PolicyCover, AggregateCommands):
    """Guards and shared steps of the policy's commands; mixed into domain.policy.aggregate.Policy."""

    def _day(self, value: date | None, field: str = "on") -> date:
        """A command's business date: not before the last recorded one, nothing due unrecorded by it."""
        day = self.business_date if value is None else check_date(value, field)
        if day < self.business_date:
            raise DomainError(
                f"{field} {day} is before the last recorded date {self.business_date}", code="date-before-last-event"
            )
        step = self._next_step(offers=False)
        if step is not None and step[0] <= day:
            raise DomainError(f"{step[2]} is due on {step[0]}: advance time first", code="time-not-advanced")
        return day

    def _written(self, document_ref: str, effective_on: date, on: date | None) -> tuple[str, date, date]:
        ref = check_text(document_ref, "document_ref", 200)
        effective = check_date(effective_on, "effective_on")
        day = self._day(effective if on is None else on)
        if effective < day:
            raise InvalidValue("effective_on", "must not be before the day the change is agreed")
        return ref, day, effective

    def _require(self, statuses: tuple[str, ...], code: str = "invalid-policy-transition") -> None:
        if self.status in TERMINAL:
            raise InvalidTransition(f"the policy is {self.status}", code="invalid-policy-transition")
        if self.status not in statuses:
            raise InvalidTransition(f"not allowed while the policy is {self.status}", code=code)

    def _close(self, event: Any, day: date, refund_reason: str, refund: Decimal | None = None, **fields: Any) -> None:
        """A terminal event, then the refund it makes (default: a first premium held)."""
        if refund is None:
            refund = self.premium_held
        else:
            fields["refund"] = refund
        self.trigger_event(event, on=day, **fields)
        if refund > 0:
            self.trigger_event(ev.PremiumRefunded, on=day, amount=refund, reason=refund_reason)

    def _issue(self, day: date) -> None:
        end = term_end(day, self.term_months)
        number = f"P{day.year}{self.id.hex[:10].upper()}"
        self.trigger_event(
            ev.Issued,
            on=day,
            policy_number=number,
            start_date=day,
            end_date=end,
            waiting_period_end=waiting_period_end(day, self.product_terms["waiting_period_days"]) or day,
            schedule=premium_schedule(day, self.term_months, self.premium_mode, self.agreed_installment),
            contract=contract_terms(self, number, day, end),
        )

    def _offer_renewal(self, day: date, annual: Decimal, each: Decimal | None) -> None:
        assert self.end_date is not None
        start = self.end_date + DAY
        if each is None:
            monthly = self.premium_mode == "monthly"
            each = money(annual * self.product_terms["monthly_factor"]) if monthly else annual
        self.trigger_event(
            ev.RenewalOffered,
            on=day,
            annual_premium=annual,
            installment=each,
            start_date=start,
            end_date=term_end(start, self.term_months),
        )
