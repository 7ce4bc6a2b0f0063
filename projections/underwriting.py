"""The underwriting decisions register (核保; guide 6.1–6.3): one versioned row per application.

Derived from the policy's state after each event: the automatic outcome is the status the case
left `underwriting` for, the underwriter's decision is `policy.underwriting_decision`, and the
applicant's answer to conditions is the status that followed `offered_with_conditions`.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import JSON, Column, Date, Integer, String, Text, or_, select, update

from domain.customer.aggregate import ERASED, Customer
from domain.identifiers import china_today
from domain.policy.aggregate import Policy
from projections.base import Batch
from projections.customers import plain
from projections.policies import ID, MONEY, PolicyStateProjection
from projections.register import Register
from projections.versioned import versioned_table

underwriting_decisions = versioned_table(
    "underwriting_decisions",
    "policy_id",
    Column("version", Integer, nullable=False),
    Column("status", String(30), nullable=False),  # pending | referred | awaiting_applicant | decided
    Column("policy_status", String(30), nullable=False),
    Column("applicant_id", ID, nullable=False),
    Column("insured_id", ID, nullable=False),
    Column("product_code", String(50), nullable=False),
    Column("line", String(20), nullable=False),
    Column("sum_insured", MONEY, nullable=False),
    Column("applied_on", Date, nullable=False),
    Column("automatic_outcome", String(20), nullable=True),  # accepted | referred | declined
    Column("automatic_on", Date, nullable=True),
    Column("findings", JSON(none_as_null=True), nullable=False),  # as recorded, one per check
    Column("referred_reasons", JSON(none_as_null=True), nullable=False),  # codes of the referring findings
    Column("decision", String(30), nullable=True),  # accept | offer_with_conditions | postpone | decline
    Column("decided_by", String(20), nullable=True),  # automatic | underwriter
    Column("underwriter_id", ID, nullable=True),
    Column("underwriter_role", String(50), nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("turnaround_days", Integer, nullable=True),  # decided_on − applied_on
    Column("reason", Text, nullable=True),
    Column("annual_premium", MONEY, nullable=True),
    Column("installment", MONEY, nullable=True),
    Column("loading_pct", MONEY, nullable=False),
    Column("exclusions", JSON(none_as_null=True), nullable=False),
    Column("suggested_products", JSON(none_as_null=True), nullable=False),
    Column("applicant_response", String(20), nullable=True),  # accepted | refused (conditions)
    Column("responded_on", Date, nullable=True),
    # inspections and medical examinations (6.1.2 (2)): each as ordered and reported; those the case waits for
    Column("examinations", JSON(none_as_null=True), nullable=True),
    Column("examinations_outstanding", Integer, nullable=True),
    Column("examination_due_on", Date, nullable=True),  # the earliest due date of those outstanding
)

STATUS = {
    "applied": "pending",
    "underwriting": "pending",
    "referred": "referred",
    "offered_with_conditions": "awaiting_applicant",
}
AUTOMATIC_DECISIONS = {"accepted": "accept", "declined": "decline"}
RESPONSES = {"accepted": "accepted", "withdrawn": "refused"}


def status_after(policy: Policy, status: str) -> tuple[str, date] | tuple[None, None]:
    """The status the policy moved to from `status` (the first time), and when; or (None, None)."""
    history = policy.history
    for (_, before), (since, after) in pairwise(history):
        if before == status:
            return after, since
    return None, None


def decision_row(policy: Policy, event: Any) -> dict[str, Any]:
    """The register row of a policy's application as it stands now."""
    automatic, automatic_on = status_after(policy, "underwriting")
    if isinstance(event, Policy.AutomaticUnderwritingCompleted):  # its status event is the next one
        automatic, automatic_on = event.outcome, event.on
    decision = decided_by = underwriter_id = role = decided_on = reason = None
    if policy.underwriting_decision is not None:
        made = policy.underwriting_decision
        decision, decided_by, decided_on, reason = made["decision"], "underwriter", made["on"], made["reason"]
        underwriter_id, role = made["underwriter_id"], made["role"]
    elif automatic in AUTOMATIC_DECISIONS:
        decision, decided_by, decided_on = AUTOMATIC_DECISIONS[automatic], "automatic", automatic_on
        reason = policy.closing_reason if automatic == "declined" else None
    response, responded_on = status_after(policy, "offered_with_conditions")
    waiting = policy.outstanding_examinations()
    assert policy.applied_on is not None
    return {
        "version": policy.version,
        "status": STATUS.get(policy.status, "decided"),
        "policy_status": policy.status,
        "applicant_id": policy.applicant_id,
        "insured_id": policy.insured_id,
        "product_code": policy.product_code,
        "line": policy.product_terms["line"],
        "sum_insured": policy.sum_insured_history[0][1],  # as applied for
        "applied_on": policy.applied_on,
        "automatic_outcome": automatic,
        "automatic_on": automatic_on,
        "findings": plain(policy.findings),
        "referred_reasons": list(policy.referral_reasons),
        "decision": decision,
        "decided_by": decided_by,
        "underwriter_id": underwriter_id,
        "underwriter_role": role,
        "decided_on": decided_on,
        "turnaround_days": None if decided_on is None else (decided_on - policy.applied_on).days,
        "reason": reason,
        "annual_premium": policy.annual_premium,
        "installment": policy.installment,
        "loading_pct": policy.loading_pct,
        "exclusions": list(policy.exclusions),
        "suggested_products": list(policy.suggested_products),
        "applicant_response": None if response is None else RESPONSES.get(response),
        "responded_on": responded_on,
        "examinations": plain(policy.examinations),
        "examinations_outstanding": len(waiting),
        "examination_due_on": min((e["due_on"] for e in waiting), default=None),
    }


class UnderwritingProjection(PolicyStateProjection):
    """Keeps the underwriting decisions register."""

    name = "underwriting_decisions"
    tables = (underwriting_decisions,)

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if isinstance(event, Customer.PersonalDataErased):
            scrub_ages(batch, str(event.originator_id))
        else:
            super().apply(event, position, batch)

    def write(self, policy: Policy, event: Any, position: int, batch: Batch) -> None:
        batch.versioned(underwriting_decisions).put(str(policy.id), decision_row(policy, event), position)


# --- erasure (PIPL): what was derived from the ID number goes with it --------------------------
#: Finding details that may state the insured's age or gender (the rule's figures stay in `data`).
AGE_DETAILS = ("age-out-of-range", "rate-unavailable")


def scrubbed_findings(findings: list[dict[str, Any]], *, applicant: bool, insured: bool) -> list[dict[str, Any]]:
    """The findings without the erased party's age (6.2.1 applicant_age, 6.2.2 insured_age) nor a detail
    stating the insured's age or gender."""
    out = []
    for finding in findings:
        data = dict(finding.get("data") or {})
        if applicant and "applicant_age" in data:
            data["applicant_age"] = None
        if insured and "insured_age" in data:
            data["insured_age"] = None
        detail = finding.get("detail")
        if insured and finding.get("code") in AGE_DETAILS:
            detail = ERASED
        out.append({**finding, "data": data, "detail": detail})
    return out


def scrubbed_examinations(examinations: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """The examinations as their events read once the policy's key is shredded: the reason and any summary
    ERASED (application.infrastructure.personal)."""
    if examinations is None:
        return None
    return [
        {**item, "reason": ERASED, "summary": None if item.get("summary") is None else ERASED} for item in examinations
    ]


def scrub_ages(batch: Batch, customer_id: str) -> None:
    """A customer erased: every version of the rows where they are applicant or insured loses their age, and
    where they are the applicant, what the examinations were for and found."""
    writer = batch.versioned(underwriting_decisions)
    writer.flush()
    c = underwriting_decisions.c
    rows = (
        batch.conn.execute(
            select(c.policy_id, c.valid_from, c.applicant_id, c.insured_id, c.findings, c.examinations).where(
                or_(c.applicant_id == customer_id, c.insured_id == customer_id)
            )
        )
        .mappings()
        .all()
    )
    for row in rows:
        applicant = row["applicant_id"] == customer_id
        findings = scrubbed_findings(
            list(row["findings"] or []), applicant=applicant, insured=row["insured_id"] == customer_id
        )
        values: dict[str, Any] = {"findings": findings}
        if applicant:  # the policy's key goes with the applicant's: what the examinations were for and found
            values["examinations"] = scrubbed_examinations(row["examinations"])
        batch.conn.execute(
            update(underwriting_decisions)
            .where(c.policy_id == row["policy_id"], c.valid_from == row["valid_from"])
            .values(**values)
        )
    writer.reset()


# --- queries ---------------------------------------------------------------------------------
_c = underwriting_decisions.c
SORTABLE = {
    "applied_on": _c.applied_on,
    "decided_on": _c.decided_on,
    "turnaround_days": _c.turnaround_days,
    "sum_insured": _c.sum_insured,
    "product_code": _c.product_code,
    "status": _c.status,
    "examination_due_on": _c.examination_due_on,
}
DEFAULT_SORT = "-applied_on"


def with_examination_overdue(row: dict[str, Any], today: date) -> None:
    """`examination_overdue` as of `today`: an examination the case waits for is past its due date."""
    due = row.get("examination_due_on")
    row["examination_overdue"] = bool(row.get("examinations_outstanding")) and due is not None and due < today


#: Every application's underwriting: findings, referral, decision, underwriter, turnaround.
DECISIONS = Register(
    underwriting_decisions,
    "underwriting_decisions",
    SORTABLE,
    DEFAULT_SORT,
    view="UnderwritingDecisionView",
    doc="An application's underwriting: findings, referral, examinations, decision, turnaround; "
    "`examination_overdue` as of `today`.",
    page_view="UnderwritingDecisionPage",
    extra={"examination_overdue": (bool, False)},
    derive=with_examination_overdue,
)


def underwriting_filters(
    decision: str | None = None,
    automatic_outcome: str | None = None,
    decided_by: str | None = None,
    status: str | None = None,
    underwriter_id: str | None = None,
    product_code: str | None = None,
    pending: bool | None = None,
    decided_from: date | None = None,
    decided_to: date | None = None,
    examination: str | None = None,
    today: date | None = None,
) -> list[Any]:
    """SQL conditions for the register's filters. `pending`: True keeps the cases without a decision
    yet, False those decided; the decided date range includes both ends. `examination`: "outstanding"
    keeps the cases waiting for an examination, "overdue" those whose examination is past its due date
    on `today`."""
    conditions: list[Any] = []
    for column, value in (
        (_c.decision, decision),
        (_c.automatic_outcome, automatic_outcome),
        (_c.decided_by, decided_by),
        (_c.status, status),
        (_c.underwriter_id, underwriter_id),
        (_c.product_code, product_code),
    ):
        if value is not None:
            conditions.append(column == value)
    if pending is not None:
        conditions.append(_c.decision.is_(None) if pending else _c.decision.is_not(None))
    if decided_from is not None:
        conditions.append(_c.decided_on >= decided_from)
    if decided_to is not None:
        conditions.append(_c.decided_on <= decided_to)
    if examination is not None:
        conditions.append(_c.examinations_outstanding > 0)
        if examination == "overdue":
            conditions.append(_c.examination_due_on < (today or china_today()))
    return conditions
