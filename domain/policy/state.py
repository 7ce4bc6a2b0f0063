"""The state of a policy and the questions it answers (SPEC §5): status and cover on any date.

`PolicyState` holds what the policy events set (see domain.policy.events) and computes from it; it
never records anything. The cover on a date is read by domain.policy.cover_on; the commands live on
`domain.policy.aggregate.Policy`. `CoverSnapshot` (domain.policy.cover) is importable from here too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.calendar import PeriodEnd
from domain.policy.cover import CoverSnapshot
from domain.policy.rules import (
    DAY,
    REINSTATEMENT_DECISION_DAYS,
    SHORT_TERM_MONTHS,
    STATUTORY_GRACE_LINES,
    ZERO,
    cash_value,
    completed_years,
    deemed_consent_date,
    grace_period_end,
    premium_owed,
    renewal_offer_from,
    termination_date,
)

__all__ = ["STATUSES", "STATUTORY_GRACE_LINES", "TERMINAL", "CoverSnapshot", "PolicyState"]

TERMINAL = ("declined", "postponed", "withdrawn", "cancelled", "surrendered", "rescinded", "expired", "terminated")
STATUSES = (
    "applied",
    "underwriting",
    "referred",
    "accepted",
    "offered_with_conditions",
    "in_force",
    "lapsed",
    *TERMINAL,
)


class PolicyState:
    """What a policy knows. Amounts are Decimal to the cent; dates are business dates."""

    def __init__(self) -> None:
        # the application (5.2 (1)) and the product terms it was sold under
        self.applicant_id = ""
        self.insured_id = ""
        self.relationship = ""
        self.beneficiaries: list[dict[str, Any]] = []
        self.product_code = ""
        self.product_version = 0
        self.product_terms: dict[str, Any] = {}
        self.riders: list[dict[str, Any]] = []
        self.sum_insured = ZERO  # the latest, possibly effective later; see sum_insured_history
        self.sum_insured_history: list[tuple[date, Decimal]] = []
        self.term_months = 0
        self.premium_mode = ""
        self.disclosures: dict[str, bool] = {}
        self.agent_id = ""
        self.channel = ""
        self.applied_on: date | None = None
        self.quoted_annual_premium: Decimal | None = ZERO
        self.quoted_installment: Decimal | None = ZERO
        self.contacts: dict[str, str] = {}
        # status: `history` holds (from date, status); `business_date` is the latest recorded date
        self.status = ""
        self.history: list[tuple[date, str]] = []
        self.business_date = date.min
        # underwriting (6.1–6.3)
        self.findings: list[dict[str, Any]] = []
        self.referral_reasons: list[str] = []
        self.underwriting_decision: dict[str, Any] | None = None
        self.annual_premium: Decimal | None = None
        self.installment: Decimal | None = None
        self.loading_pct = ZERO
        self.exclusions: list[str] = []
        self.suggested_products: list[str] = []
        self.closing_reason: str | None = None
        # inspections and medical examinations (6.1.2 (2); domain.policy.examinations), in the order ordered
        self.examinations: list[dict[str, Any]] = []
        # facultative placements of a risk beyond the treaties' capacity (6.1.1 (6); domain.policy.facultative)
        self.facultative: list[dict[str, Any]] = []
        # money: every PremiumPaid adds to premiums_paid, every PremiumRefunded to refunded
        self.premiums_paid = ZERO
        self.refunded = ZERO
        # premium kept but no longer counted for the cash value: a lower sum insured on a cash-value product
        # refunds the cash value of the part given up, and that part's premium leaves the basis
        self.cash_value_excluded = ZERO
        self.premium_held = ZERO  # paid before the schedule it belongs to exists
        self.held_on: date | None = None
        self.schedule: list[dict[str, Any]] = []  # no, due_date, amount, cover_from, cover_to, kind, paid_on
        self.paid_cover: list[dict[str, Any]] = []  # amount, cover_from, cover_to: what paid premium buys
        self.last_installment_no = 0
        self.demands: dict[str, date] = {}  # str(installment no) → demanded on (JSON-safe keys)
        # the contract (5.2 (3)–(5))
        self.policy_number: str | None = None
        self.start_date: date | None = None  # formation
        self.end_date: date | None = None  # the last day of the latest period
        self.periods: list[dict[str, date]] = []
        self.waiting_period_end: date | None = None
        self.contract: dict[str, Any] | None = None
        self.receipt_signed_on: date | None = None
        self.lapsed_on: date | None = None
        self.reinstatement: dict[str, Any] | None = None
        self.renewal_offer: dict[str, Any] | None = None
        self.renewal_refusal: dict[str, Any] | None = None  # on, field, reason: the renewal could not be quoted
        self.pending_increase: dict[str, Any] | None = None
        self.claims_paid: dict[str, Decimal] = {}  # str(period index) → claims paid on the main cover
        self.rider_claims_paid: dict[str, dict[str, Decimal]] = {}  # rider code → str(period) → paid
        # cover key ("main" or rider code) → on (the last day of cover: the death or the loss), claim_id, reason
        self.ended_covers: dict[str, dict[str, Any]] = {}
        self.rescission: dict[str, Any] | None = None

    # -- queries --------------------------------------------------------------------------------

    def status_on(self, day: date) -> str | None:
        """The status at the end of `day` (None before the application)."""
        for since, status in reversed(self.history):
            if since <= day:
                return status
        return None

    def premium_owed_on(self, day: date) -> Decimal:
        """Installments due by `day` and unpaid at its end: deducted from a loss in grace (Art. 36)."""
        return premium_owed(self.schedule, day)

    @property
    def live_riders(self) -> list[dict[str, Any]]:
        """The riders still giving cover (not ended by a claim): the riders that are charged."""
        return [r for r in self.riders if r["code"] not in self.ended_covers]

    def next_due_date(self) -> date | None:
        """The next date on which `advance_time` would record something (the scheduler's wake-up);
        includes the renewal offer, which advance_time records when given a renewal premium."""
        step = self._next_step(offers=True)
        return None if step is None else step[0]

    @property
    def net_premium_paid(self) -> Decimal:
        return self.premiums_paid - self.refunded

    @property
    def cash_value_basis(self) -> Decimal:
        """The premium the cash value is a fraction of: the net premium paid, less the premium of any
        sum insured given up (whose cash value was refunded then)."""
        return max(ZERO, self.net_premium_paid - self.cash_value_excluded)

    @property
    def remaining_sum_insured(self) -> Decimal:
        """What remains of the sum insured in the latest period."""
        if not self.periods:
            return self.sum_insured
        last = len(self.periods) - 1
        return self.sum_insured - self.paid_in(last)

    @property
    def renewable(self) -> bool:
        """A renewable short-term product, unless its renewal was found not quotable (RenewalNotOffered)."""
        return (
            bool(self.product_terms.get("renewable"))
            and self.term_months <= SHORT_TERM_MONTHS
            and self.renewal_refusal is None
        )

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    # -- helpers shared by commands and events ---------------------------------------------------

    def move_to(self, status: str, since: date) -> None:
        """Record that the policy is in `status` from `since` on (the status events call it)."""
        self.status = status
        self.history.append((since, status))

    def schedule_item(self, no: int) -> dict[str, Any] | None:
        """The installment numbered `no` of the premium schedule (None: no such installment)."""
        return next((i for i in self.schedule if i["no"] == no), None)

    def mark_paid(self, item: dict[str, Any], paid_on: date) -> None:
        """Record an installment paid on `paid_on`; the cover it buys counts as paid cover."""
        item["paid_on"] = paid_on
        self.paid_cover.append({k: item[k] for k in ("amount", "cover_from", "cover_to")})

    def _next_step(self, *, offers: bool) -> tuple[date, int, str] | None:
        """The earliest transition time causes: (date, rank among those on one date, what)."""
        steps: list[tuple[date, int, str]] = []
        if self.status in ("in_force", "lapsed") and self.end_date is not None:
            steps.append((self.end_date + DAY, 0, "expire"))
        if self.status == "in_force":
            item = self._lapsing_item()
            if item is not None:
                steps.append((self._grace_end(item) + DAY, 2, "lapse"))
            if offers and self.renewable and self.renewal_offer is None and self.end_date is not None:
                offer_day = renewal_offer_from(self.end_date, self.product_terms["renewal_offer_days"])
                steps.append((max(offer_day, self.business_date), 4, "offer"))
        if self.status == "lapsed" and self.lapsed_on is not None:
            request = self.reinstatement
            ends = termination_date(self.lapsed_on)
            if request and request["state"] == "pending":
                # a request open at the 2-year mark is decided (or deemed agreed) first (Art. 37)
                steps.append((deemed_consent_date(request["requested_on"]), 3, "deem"))
            elif request and request["state"] == "refused":
                steps.append((max(ends, request["decided_on"] + DAY), 1, "terminate"))
            elif request and request["state"] == "agreed":
                # agreed: the arrears may be paid for 30 days after the agreement, even past 2 years
                paid_by = request["decided_on"] + REINSTATEMENT_DECISION_DAYS * DAY
                steps.append((max(ends, paid_by + DAY), 1, "terminate"))
            else:
                steps.append((ends, 1, "terminate"))
        return min(steps) if steps else None

    @property
    def _statutory_grace(self) -> bool:
        return self.product_terms["line"] in STATUTORY_GRACE_LINES

    @property
    def uses_cash_value(self) -> bool:
        """Life cover, or any product with a cash value table, refunds its cash value."""
        return self.product_terms["line"] == "life" or bool(self.product_terms["cash_value_by_year"])

    @property
    def agreed_annual_premium(self) -> Decimal:
        """The annual premium agreed on acceptance (or by the last change or renewal); set once accepted."""
        assert self.annual_premium is not None
        return self.annual_premium

    @property
    def agreed_installment(self) -> Decimal:
        """The installment agreed with the annual premium; set once accepted."""
        assert self.installment is not None
        return self.installment

    def _grace_end(self, item: dict[str, Any]) -> date:
        return self.grace_period(item).due

    def grace_period(self, item: dict[str, Any]) -> PeriodEnd:
        """The installment's grace end with its nominal last day and why it moved (Art. 203)."""
        return grace_period_end(
            item["due_date"],
            statutory=self._statutory_grace,
            grace_days=self.product_terms["grace_days"],
            demanded_on=self.demands.get(str(item["no"])),
        )

    def first_unpaid(self) -> dict[str, Any] | None:
        """The earliest installment not yet paid (None: all paid)."""
        return next((i for i in self.schedule if i["paid_on"] is None), None)

    def _lapsing_item(self) -> dict[str, Any] | None:
        """The unpaid installment whose grace ends first (the lower number on a tie). A grace period ends
        no earlier than the day it counts from (the due date, or the demand), so the installments are tried
        in that order and the search stops at one that cannot end sooner: a long schedule counts a few."""
        unpaid = sorted((i for i in self.schedule if i["paid_on"] is None), key=self._grace_counted_from)
        best: tuple[date, int] | None = None
        found = None
        for item in unpaid:
            if best is not None and self._grace_counted_from(item) > best[0]:
                break
            key = (self._grace_end(item), item["no"])
            if best is None or key < best:
                best, found = key, item
        return found

    def _grace_counted_from(self, item: dict[str, Any]) -> date:
        """The earliest day the installment's grace can end: its due date, or its demand if earlier."""
        demanded = self.demands.get(str(item["no"]))
        due: date = item["due_date"]
        return due if demanded is None else min(due, demanded)

    def _cash_value(self, day: date) -> Decimal:
        assert self.start_date is not None
        years = completed_years(self.start_date, day)
        return cash_value(self.product_terms["cash_value_by_year"], years, self.cash_value_basis)

    def period_index(self, day: date) -> int | None:
        """The index of the policy period holding `day` (None: outside every period)."""
        return next((n for n, p in enumerate(self.periods) if p["start"] <= day <= p["end"]), None)

    def _sum_insured_on(self, day: date) -> Decimal:
        return next(
            (si for since, si in reversed(self.sum_insured_history) if since <= day),
            self.sum_insured_history[0][1] if self.sum_insured_history else self.sum_insured,
        )

    def paid_in(self, period: int) -> Decimal:
        """What claims paid under the main cover in the period of that index."""
        return self.claims_paid.get(str(period), ZERO)

    def _rider_paid_in(self, code: str, period: int) -> Decimal:
        return self.rider_claims_paid.get(code, {}).get(str(period), ZERO)

    def _remaining(self, period: int, day: date) -> Decimal:
        """What remains for a loss on `day`: the least sum insured from then to the period's end,
        less the claims paid for the period."""
        end = self.periods[period]["end"]
        later = [si for since, si in self.sum_insured_history if day < since <= end]
        return min([self._sum_insured_on(day), *later]) - self.paid_in(period)
