"""The claim API (理赔, SPEC §6; guide ch. 7): commands. Queries: interface.claim_queries_api."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application.commands import claim_payments as payments
from application.commands import claims as commands
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.claim_queries_api import ClaimQueries
from interface.claim_schemas import (
    ApprovalIn,
    AssessmentIn,
    ClaimIn,
    DocumentIn,
    FlagIn,
    InvestigationIn,
    MissingNoticeIn,
    On,
    PaymentIn,
    ReasonIn,
    RejectionIn,
    RescissionFindingIn,
    ReserveIn,
)
from interface.http import CommandAnswer, answer, business_day, command_context

Req = Request[Principal, Any, Any]
Svc = NamedDependency[Services]
Id = FromPath[UUID]
HANDLE = [requires("claims.handle")]


class ClaimCommands(Controller):
    """Commands on claims. Each answers id, version and position; If-Match and Idempotency-Key apply.
    A dated command first records the clock breaches due by its date (actor: system)."""

    path = "/api/v1/claims"
    tags = ["claims"]

    @post("/", guards=[requires("claims.report")], sync_to_thread=True, status_code=201)
    def report(self, request: Req, services: Svc, data: JSONBody[ClaimIn]) -> CommandAnswer:
        """报案: the claim is received; its decision clock (30 days, Art. 23) starts. Refused as
        `claim-time-barred` after the Art. 26 limitation. Fraud indicators are flagged at once."""
        ctx = command_context(request, data)
        return answer(
            commands.report(
                services.app,
                ctx,
                policy_id=data.policy_id,
                claimant_id=data.claimant_id,
                claimant_role=data.claimant_role,
                loss_date=data.loss_date,
                known_on=data.known_on,
                cause=data.cause,
                description=data.description,
                estimated_amount=data.estimated_amount,
                initial_reserve=data.initial_reserve,
                reported_on=data.reported_on,
            )
        )

    @post("/{claim_id:uuid}/documents", guards=HANDLE, sync_to_thread=True, status_code=200)
    def receive_document(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[DocumentIn]) -> CommandAnswer:
        """A claim document arrives (7.1 (1)); the last missing one ends the clock's pause."""
        ctx = command_context(request, data)
        return answer(commands.receive_document(services.app, ctx, claim_id, business_day(data.on), code=data.code))

    @post("/{claim_id:uuid}/missing-documents-notice", guards=HANDLE, sync_to_thread=True, status_code=200)
    def notify_missing(
        self, request: Req, services: Svc, claim_id: Id, data: JSONBody[MissingNoticeIn]
    ) -> CommandAnswer:
        """The one notice of ALL missing documents (Art. 22); the decision clock pauses until the last
        arrives. A second notice needs `breach_reason` and is recorded as a compliance breach."""
        ctx = command_context(request, data, reason=data.breach_reason)
        return answer(
            commands.notify_missing_documents(
                services.app, ctx, claim_id, business_day(data.on), breach_reason=data.breach_reason
            )
        )

    @post("/{claim_id:uuid}/acceptance", guards=HANDLE, sync_to_thread=True, status_code=200)
    def accept(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """受理: only with every required document (`documents-incomplete` otherwise)."""
        ctx = command_context(request, data)
        return answer(commands.accept(services.app, ctx, claim_id, business_day(data.on)))

    @post("/{claim_id:uuid}/investigations", guards=HANDLE, sync_to_thread=True, status_code=200)
    def investigate(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[InvestigationIn]) -> CommandAnswer:
        """An investigation activity (7.2 (1)) with its findings."""
        ctx = command_context(request, data)
        return answer(
            commands.record_investigation(
                services.app,
                ctx,
                claim_id,
                business_day(data.on),
                activity=data.activity,
                investigator_id=data.investigator_id or request.user.sub,
                findings=data.findings,
            )
        )

    @post("/{claim_id:uuid}/fraud-flags", guards=HANDLE, sync_to_thread=True, status_code=200)
    def flag(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[FlagIn]) -> CommandAnswer:
        """Raise a fraud indicator found by a person (ch. 9); the automatic ones are raised on report."""
        ctx = command_context(request, data)
        return answer(
            commands.raise_fraud_flag(
                services.app, ctx, claim_id, business_day(data.on), indicator=data.indicator, detail=data.detail
            )
        )

    @post("/{claim_id:uuid}/assessments", guards=HANDLE, sync_to_thread=True, status_code=200)
    def assess(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[AssessmentIn]) -> CommandAnswer:
        """定损: loss items with claimed and assessed amounts, by the caller; again after a dispute."""
        ctx = command_context(request, data)
        return answer(
            commands.assess(
                services.app,
                ctx,
                claim_id,
                business_day(data.on),
                items=[item.model_dump() for item in data.items],
                assessor_id=request.user.sub,
            )
        )

    @post("/{claim_id:uuid}/assessment-notice", guards=HANDLE, sync_to_thread=True, status_code=200)
    def notify_assessment(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """The claimant is told the assessment (定损, SPEC §6, guide 7.2 (3)); their time to agree or dispute
        never counts against the insurer's 30-day decision clock (Art. 23)."""
        ctx = command_context(request, data)
        return answer(commands.notify_assessment(services.app, ctx, claim_id, business_day(data.on)))

    @post("/{claim_id:uuid}/assessment-agreement", guards=HANDLE, sync_to_thread=True, status_code=200)
    def agree(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """The claimant agrees the amount: payment is due within 10 days (Art. 23)."""
        ctx = command_context(request, data)
        return answer(commands.agree_assessment(services.app, ctx, claim_id, business_day(data.on)))

    @post("/{claim_id:uuid}/assessment-dispute", guards=HANDLE, sync_to_thread=True, status_code=200)
    def dispute(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[ReasonIn]) -> CommandAnswer:
        """The claimant disputes the assessment: it must be assessed again."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(
            commands.dispute_assessment(services.app, ctx, claim_id, business_day(data.on), reason=data.reason)
        )

    @post("/{claim_id:uuid}/approval", guards=HANDLE, sync_to_thread=True, status_code=200)
    def approve(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[ApprovalIn]) -> CommandAnswer:
        """赔付决定 (核定) against the policy as it stood on the loss date (`not-covered-on-loss-date`), within
        the caller's authority for the amount (`insufficient-authority`, 403). The decision is notified to
        the claimant: it stops the 30-day clock without waiting for the claimant's agreement, which may
        follow (payment due 10 days after it) or be refused by a dispute (reassessment, a new decision)."""
        ctx = command_context(request, data)
        return answer(
            commands.approve(
                services.app, ctx, claim_id, business_day(data.on), exclusion_applies=data.exclusion_applies
            )
        )

    @post("/{claim_id:uuid}/rescission-finding", guards=HANDLE, sync_to_thread=True, status_code=200)
    def rescission_finding(
        self, request: Req, services: Svc, claim_id: Id, data: JSONBody[RescissionFindingIn]
    ) -> CommandAnswer:
        """Art. 16(5): after a rescission for gross negligence, whether the fact not disclosed seriously
        affected this earlier loss (refused) or not (judged as if not rescinded), with the reason."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(
            commands.record_rescission_finding(
                services.app,
                ctx,
                claim_id,
                business_day(data.on),
                seriously_affected=data.seriously_affected,
                reason=data.reason,
            )
        )

    @post("/{claim_id:uuid}/rejection", guards=HANDLE, sync_to_thread=True, status_code=200)
    def reject(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[RejectionIn]) -> CommandAnswer:
        """拒赔 with reasons; the written notice is due within 3 days (Art. 24)."""
        ctx = command_context(request, data, reason="; ".join(data.reasons))
        return answer(
            commands.reject(
                services.app, ctx, claim_id, business_day(data.on), reasons=data.reasons, decided_by=request.user.sub
            )
        )

    @post("/{claim_id:uuid}/rejection-notice", guards=HANDLE, sync_to_thread=True, status_code=200)
    def rejection_notice(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """The written rejection notice with its reasons is sent."""
        ctx = command_context(request, data)
        return answer(commands.send_rejection_notice(services.app, ctx, claim_id, business_day(data.on)))

    @post("/{claim_id:uuid}/reserve", guards=HANDLE, sync_to_thread=True, status_code=200)
    def reserve(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[ReserveIn]) -> CommandAnswer:
        """Set the case reserve, with a reason (SPEC §6): payments reduce it, closing releases it."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(
            commands.set_reserve(
                services.app, ctx, claim_id, business_day(data.on), amount=data.amount, reason=data.reason
            )
        )

    @post("/{claim_id:uuid}/payments", guards=HANDLE, sync_to_thread=True, status_code=200)
    def pay(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[PaymentIn]) -> CommandAnswer:
        """A payment: final (after approval and agreement, `amount-not-agreed`) or an advance (Art. 25,
        within the caller's authority for the claim's payments with it: `insufficient-authority`, 403).
        It reduces the reserve and the policy's remaining sum insured for the period of the loss, and
        pays an installment the approval deducted for a loss in grace, in one transaction."""
        ctx = command_context(request, data)
        return answer(
            payments.pay(
                services.app,
                ctx,
                claim_id,
                business_day(data.on),
                amount=data.amount,
                reference=data.reference,
                kind=data.kind,
                determinable_amount=data.determinable_amount,
            )
        )

    @post("/{claim_id:uuid}/receipt-confirmation", guards=HANDLE, sync_to_thread=True, status_code=200)
    def confirm_receipt(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """The claimant confirms receipt of the payment (SPEC §6, guide 7.3 (2)); the claim may then be closed."""
        ctx = command_context(request, data)
        return answer(commands.confirm_receipt(services.app, ctx, claim_id, business_day(data.on)))

    @post("/{claim_id:uuid}/closing", guards=HANDLE, sync_to_thread=True, status_code=200)
    def close(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """结案 (SPEC §6, guide 7.3 (3)): close the claim once the claimant has confirmed receipt; the reserve
        is released."""
        ctx = command_context(request, data)
        return answer(commands.close(services.app, ctx, claim_id, business_day(data.on)))

    @post("/{claim_id:uuid}/reopening", guards=HANDLE, sync_to_thread=True, status_code=200)
    def reopen(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[ReasonIn]) -> CommandAnswer:
        """Reopen a closed claim with a reason: a new round with its own clocks."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(commands.reopen(services.app, ctx, claim_id, business_day(data.on), reason=data.reason))


class ClaimController(ClaimCommands, ClaimQueries):
    """Claim commands and queries share one path."""
