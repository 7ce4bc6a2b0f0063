"""The state of a claim and the questions it answers (SPEC §6): status and clocks on any date.

`ClaimState` holds what the claim events set (see domain.claim.events) and computes from it; it
never records anything. The commands live on `domain.claim.aggregate.Claim`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.claim.clocks import ClaimClocks, ClaimRound, claim_clocks
from domain.claim.rules import ZERO
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.values import check_date

STATUSES = (
    "reported",
    "documents_pending",
    "accepted",
    "investigating",
    "assessed",
    "advance_paid",
    "approved",
    "rejected",
    "paid",
    "closed",
    "reopened",
)
PRE_ACCEPTANCE = ("reported", "documents_pending")
#: Accepted (or reopened) and not yet decided: investigation, assessment and advances happen here.
HANDLING = ("accepted", "investigating", "assessed", "advance_paid", "reopened")
UNDECIDED = PRE_ACCEPTANCE + HANDLING


class ClaimState:
    """What a claim knows. Amounts are Decimal to the cent; dates are business dates."""

    def __init__(self) -> None:
        # the report (7.1)
        self.claim_number = ""
        self.policy_id = ""
        self.policy_number = ""
        self.claimant_id = ""
        self.claimant_role = ""
        self.loss_date = date.min
        self.known_on = date.min
        self.reported_on = date.min
        self.limitation_last_day = date.min
        self.cause = ""
        self.description = ""
        self.line = ""
        self.estimated_amount = ZERO
        # status: `history` holds (from date, status); `business_date` is the latest recorded date
        self.status = ""
        self.history: list[tuple[date, str]] = []
        self.business_date = date.min
        # documents (7.1; Art. 22)
        self.required_documents: list[str] = []
        self.documents_received: dict[str, date] = {}  # code → the day it arrived
        self.missing_notices: list[dict[str, Any]] = []  # on, missing, notice_no
        self.notice_breaches: list[dict[str, Any]] = []  # on, notice_no, breach_reason: shown by the register
        self.accepted_on: date | None = None
        # investigation (7.2) and fraud flags (ch. 9)
        self.investigations: list[dict[str, Any]] = []
        self.fraud_flags: list[dict[str, Any]] = []
        # loss assessment (7.2 (2)–(3)): the latest assessment of the current round
        self.assessment: dict[str, Any] | None = None  # no, on, items, assessor_id, totals, notified_on,
        self.assessments_count = 0  # agreed_on, disputed (reason)
        # adjudication (7.3)
        self.approval: dict[str, Any] | None = None  # on, payable, computation, deciding_role, decided_by
        self.rejection: dict[str, Any] | None = None  # on, reasons, decided_by, notice_on
        self.rescission_finding: dict[str, Any] | None = None  # on, seriously_affected, reason (Art. 16(5))
        self.outstanding = ZERO  # approved and not yet paid
        # money
        self.reserve = ZERO
        self.paid_total = ZERO
        self.advance_total = ZERO
        self.payments: list[dict[str, Any]] = []  # on, amount, kind, reference
        self.receipt_confirmed_on: date | None = None
        self.closed_on: date | None = None
        self.reopenings: list[dict[str, Any]] = []  # on, reason, round
        # clocks: one round per report or reopening; breaches as recorded
        self.rounds: list[ClaimRound] = []
        self.clock_breaches: list[dict[str, Any]] = []  # clock, due_on, on, round

    # -- queries ------------------------------------------------------------------------------------

    def status_on(self, day: date) -> str | None:
        """The status at the end of `day` (None before the report)."""
        for since, status in reversed(self.history):
            if since <= day:
                return status
        return None

    def clocks_on(self, day: date) -> ClaimClocks:
        """The clocks at the end of `day`: those of the round (report or reopening) running then."""
        day = check_date(day, "day")
        if day < self.reported_on:
            raise InvalidValue("day", f"the claim was reported on {self.reported_on}")
        round_ = next(r for r in reversed(self.rounds) if r.started_on <= day)
        return claim_clocks(round_, day)

    def next_due_date(self) -> date | None:
        """The next date on which `advance_time` would record something (the scheduler's wake-up)."""
        steps = self.rounds[-1].breach_steps() if self.rounds else []
        return steps[0][0] if steps else None

    @property
    def missing_documents(self) -> list[str]:
        """The required documents not yet received, in the order required."""
        return [code for code in self.required_documents if code not in self.documents_received]

    @property
    def documents_complete(self) -> bool:
        return not self.missing_documents

    @property
    def second_notice_breach(self) -> bool:
        """A second missing-documents notice was sent (Art. 22 asks for one): a compliance breach."""
        return bool(self.notice_breaches)

    @property
    def round(self) -> int:
        return self.rounds[-1].number if self.rounds else 0

    @property
    def payable(self) -> Decimal | None:
        return None if self.approval is None else self.approval["payable"]

    @property
    def amount_agreed(self) -> bool:
        return self.assessment is not None and self.assessment["agreed_on"] is not None

    # -- guards the commands share (they read the state and refuse) -------------------------------------

    def _day(self, value: date, field: str = "on") -> date:
        """A command's business date: not before the last recorded one, no breach due unrecorded by it."""
        day = check_date(value, field)
        if day < self.business_date:
            raise DomainError(
                f"{field} {day} is before the last recorded date {self.business_date}", code="date-before-last-event"
            )
        due = self.next_due_date()
        if due is not None and due <= day:
            raise DomainError(f"a clock was breached on {due}: advance time first", code="time-not-advanced")
        return day

    def _require(self, statuses: tuple[str, ...], code: str = "invalid-claim-transition") -> None:
        if self.status not in statuses:
            raise InvalidTransition(f"not allowed while the claim is {self.status}", code=code)

    def _require_amount_open(self) -> None:
        if self.amount_agreed:
            raise DomainError("the assessed amount is agreed", code="assessment-already-agreed")

    def _open_assessment(self, on: date, decided: bool = False) -> dict[str, Any]:
        """The assessment the claimant may still agree or dispute (`decided`: also once decided on)."""
        self._day(on)
        self._require(("assessed", "advance_paid", "approved") if decided else ("assessed", "advance_paid"))
        if self.assessment is None:
            raise DomainError("the loss is not assessed", code="not-assessed")
        self._require_amount_open()
        return self.assessment

    def _notified_assessment(self, on: date) -> dict[str, Any]:
        assessment = self._open_assessment(on, decided=True)
        if assessment["notified_on"] is None:
            raise DomainError("the claimant has not been told the assessment", code="assessment-not-notified")
        if assessment["disputed"] is not None:
            raise DomainError("the assessment is disputed: assess again", code="assessment-disputed")
        return assessment

    # -- changed by the events ---------------------------------------------------------

    def move_to(self, status: str, since: date) -> None:
        """Record that the claim is in `status` from `since` on (no entry when it already is)."""
        if status != self.status:
            self.status = status
            self.history.append((since, status))
