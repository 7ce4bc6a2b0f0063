"""A reinsurance treaty (SPEC §13; guide 6.1.1 (6) 有效利用再保险支持).

A treaty is **concluded** with its form (quota share, surplus or per-risk excess of loss: see
`domain.reinsurance.rules`), the lines and products it covers, its terms, its reinsurers and their shares, and
its effective period (risks attaching: a policy whose cover starts within it is ceded under it). Its reinsurers
settle the recoveries due (**recovery received**), also after it ended. It may be
**ended** early: its new last day is on or after the day it is ended and before its last day. A policy's cession is
figured under the treaties in effect on the day its cover starts (as they stand when the policy changes). An ended treaty refuses every command.

Every command validates first and then triggers its event, so a refused command records nothing. Business
dates never go back (`date-before-last-event`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.base import InscribeAggregate, business_day
from domain.errors import DomainError, InvalidValue
from domain.product.model import LINES
from domain.reinsurance import events as ev
from domain.reinsurance.rules import (
    KINDS,
    MAX_DAYS,
    MAX_SCOPE,
    NAME,
    TEXT,
    TreatyTerms,
    check_reinsurers,
    check_terms,
    covers,
    in_effect,
)
from domain.values import check_choice, check_date, check_id, check_money, check_text, check_texts

__all__ = ["Treaty"]


class Treaty(InscribeAggregate):
    """A reinsurance treaty (再保险合同) with its reinsurers."""

    TOPIC = "inscribe.reinsurance.Treaty"

    Event = ev.TreatyEvent
    Created = ev.TreatyCreated
    Concluded = ev.Concluded
    Ended = ev.Ended
    RecoveryReceived = ev.RecoveryReceived

    def __init__(self) -> None:
        self.name = ""
        self.kind = ""
        self.lines: list[str] = []
        self.product_codes: list[str] = []
        self.terms: dict[str, Any] = {}
        self.reinsurers: list[dict[str, Any]] = []
        self.effective_from = date.min
        self.effective_to = date.min
        self.by = ""
        self.concluded_on = date.min
        self.status = ""
        self.business_date = date.min
        self.ended_on: date | None = None
        self.end_reason: str | None = None
        self.received: dict[str, Decimal] = {}  # reinsurer → recoveries received

    @classmethod
    def conclude(
        cls,
        *,
        name: str,
        kind: str,
        lines: list[str],
        product_codes: list[str],
        terms: dict[str, Any],
        reinsurers: list[dict[str, Any]],
        effective_from: date,
        effective_to: date,
        by: str | UUID,
        on: date,
        treaty_id: UUID | None = None,
    ) -> Treaty:
        """A treaty of `kind` for `lines` and `product_codes`, in effect from `effective_from` to `effective_to`."""
        title = check_text(name, "name", NAME)
        form = check_choice(kind, "kind", KINDS)
        scope_lines = check_texts(lines, "lines", 20, max_items=len(LINES))
        for i, line in enumerate(scope_lines):
            check_choice(line, f"lines[{i}]", LINES)
        products = check_texts(product_codes, "product_codes", 50, max_items=MAX_SCOPE)
        if not scope_lines and not products:
            raise InvalidValue("lines", "name at least one line or product the treaty covers")
        if len(set(scope_lines)) != len(scope_lines) or len(set(products)) != len(products):
            raise InvalidValue(
                "lines" if len(set(scope_lines)) != len(scope_lines) else "product_codes", "name each once"
            )
        checked = check_terms(form, terms)
        shares = check_reinsurers(reinsurers)
        day, first, last = (
            check_date(on, "on"),
            check_date(effective_from, "effective_from"),
            check_date(effective_to, "effective_to"),
        )
        if last < first:
            raise InvalidValue("effective_to", f"must not be before effective_from ({first})")
        if (last - first).days + 1 > MAX_DAYS:
            raise InvalidValue("effective_to", f"a treaty runs at most {MAX_DAYS} days")
        return cls._create(
            cls.Concluded,
            id=treaty_id,
            on=day,
            name=title,
            kind=form,
            lines=scope_lines,
            product_codes=products,
            terms=checked,
            reinsurers=shares,
            effective_from=first,
            effective_to=last,
            by=check_id(by, "by"),
        )

    def end(self, *, ends_on: date, reason: str, on: date) -> None:
        """End the treaty early: risks starting after `ends_on` no longer attach."""
        why = check_text(reason, "reason", TEXT)
        day = business_day(self, on, "ended", "invalid-treaty-transition")
        last = check_date(ends_on, "ends_on")
        if last < day:
            raise InvalidValue("ends_on", f"must not be before {day}, the day it is ended")
        if last >= self.effective_to:
            raise InvalidValue("ends_on", f"must be before the treaty's last day ({self.effective_to})")
        self.trigger_event(self.Ended, on=day, ends_on=last, reason=why)

    def receive_recovery(self, *, reinsurer: str, amount: Decimal | str, reference: str, on: date) -> None:
        """A reinsurer of the treaty paid `amount` of the recoveries due (an ended treaty still settles)."""
        who = check_text(reinsurer, "reinsurer", NAME)
        if who not in {r["reinsurer"] for r in self.reinsurers}:
            raise InvalidValue("reinsurer", f"must be one of the treaty's reinsurers: {self._names()}")
        paid = check_money(amount, "amount")
        ref = check_text(reference, "reference", NAME)
        day = check_date(on, "on")
        if day < self.business_date:
            raise DomainError(
                f"on {day} is before the last recorded date {self.business_date}", code="date-before-last-event"
            )
        self.trigger_event(self.RecoveryReceived, on=day, reinsurer=who, amount=paid, reference=ref)

    def _names(self) -> str:
        return ", ".join(r["reinsurer"] for r in self.reinsurers)

    def covers(self, line: str, product_code: str, starts_on: date) -> bool:
        """Whether a policy of `line` and `product_code` whose cover starts on `starts_on` attaches to it."""
        return covers(self.lines, self.product_codes, line, product_code) and in_effect(
            self.effective_from, self.effective_to, self.ended_on, starts_on
        )

    def as_terms(self) -> TreatyTerms:
        return TreatyTerms(str(self.id), self.name, self.kind, self.terms, self.reinsurers)
