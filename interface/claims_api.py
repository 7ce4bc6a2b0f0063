"""The claim API (理赔, SPEC §6; guide ch. 7): commands. Queries: interface.claim_queries_api."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel

from application.app import CommandResult
from application.commands import claims as commands
from application.context import CommandContext
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


def _run(
    request: Req, body: BaseModel, run: Callable[[CommandContext], CommandResult], reason: str | None = None
) -> CommandAnswer:
    return answer(run(command_context(request, body, reason=reason)))


class ClaimCommands(Controller):
    """Commands on claims. Each answers id, version and position; If-Match and Idempotency-Key apply.
    A dated command first records the clock breaches due by its date (actor: system)."""

    path = "/api/v1/claims"
    tags = ["claims"]

    @post("/", guards=[requires("claims.report")], sync_to_thread=True, status_code=201)
    def report(self, request: Req, services: Svc, data: JSONBody[ClaimIn]) -> CommandAnswer:
        """报案: the claim is received; its decision clock (30 days, Art. 23) starts. Refused as
        `claim-time-barred` after the Art. 26 limitation. Fraud indicators are flagged at once."""
        return _run(request, data, lambda ctx: commands.report(services.app, ctx, **data.model_dump()))

    def _act(
        self,
        request: Req,
        services: Services,
        claim_id: UUID,
        body: BaseModel,
        method: str,
        arguments: dict[str, Any],
        day: date | None,
        reason: str | None = None,
    ) -> CommandAnswer:
        return _run(
            request,
            body,
            lambda ctx: commands.act(services.app, ctx, claim_id, method, business_day(day), **arguments),
            reason,
        )

    @post("/{claim_id:uuid}/documents", guards=HANDLE, sync_to_thread=True, status_code=200)
    def receive_document(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[DocumentIn]) -> CommandAnswer:
        """A claim document arrives (7.1 (1)); the last missing one ends the clock's pause."""
        return self._act(request, services, claim_id, data, "receive_document", {"code": data.code}, data.on)

    @post("/{claim_id:uuid}/missing-documents-notice", guards=HANDLE, sync_to_thread=True, status_code=200)
    def notify_missing(
        self, request: Req, services: Svc, claim_id: Id, data: JSONBody[MissingNoticeIn]
    ) -> CommandAnswer:
        """The one notice of ALL missing documents (Art. 22); the decision clock pauses until the last
        arrives. A second notice needs `breach_reason` and is recorded as a compliance breach."""
        return self._act(
            request,
            services,
            claim_id,
            data,
            "notify_missing_documents",
            {"breach_reason": data.breach_reason},
            data.on,
            data.breach_reason,
        )

    @post("/{claim_id:uuid}/acceptance", guards=HANDLE, sync_to_thread=True, status_code=200)
    def accept(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """受理: only with every required document (`documents-incomplete` otherwise)."""
        return self._act(request, services, claim_id, data, "accept", {}, data.on)

    @post("/{claim_id:uuid}/investigations", guards=HANDLE, sync_to_thread=True, status_code=200)
    def investigate(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[InvestigationIn]) -> CommandAnswer:
        """An investigation activity (7.2 (1)) with its findings."""
        return self._act(
            request,
            services,
            claim_id,
            data,
            "record_investigation",
            {
                "activity": data.activity,
                "investigator_id": data.investigator_id or request.user.sub,
                "findings": data.findings,
            },
            data.on,
        )

    @post("/{claim_id:uuid}/fraud-flags", guards=HANDLE, sync_to_thread=True, status_code=200)
    def flag(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[FlagIn]) -> CommandAnswer:
        """Raise a fraud indicator found by a person (ch. 9); the automatic ones are raised on report."""
        return self._act(
            request,
            services,
            claim_id,
            data,
            "raise_fraud_flag",
            {"indicator": data.indicator, "detail": data.detail},
            data.on,
        )

    @post("/{claim_id:uuid}/assessments", guards=HANDLE, sync_to_thread=True, status_code=200)
    def assess(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[AssessmentIn]) -> CommandAnswer:
        """定损: loss items with claimed and assessed amounts, by the caller; again after a dispute."""
        items = [item.model_dump() for item in data.items]
        return self._act(
            request, services, claim_id, data, "assess", {"items": items, "assessor_id": request.user.sub}, data.on
        )

    @post("/{claim_id:uuid}/assessment-notice", guards=HANDLE, sync_to_thread=True, status_code=200)
    def notify_assessment(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """The claimant is told the assessment."""
        return self._act(request, services, claim_id, data, "notify_assessment", {}, data.on)

    @post("/{claim_id:uuid}/assessment-agreement", guards=HANDLE, sync_to_thread=True, status_code=200)
    def agree(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """The claimant agrees the amount: payment is due within 10 days (Art. 23)."""
        return self._act(request, services, claim_id, data, "agree_assessment", {}, data.on)

    @post("/{claim_id:uuid}/assessment-dispute", guards=HANDLE, sync_to_thread=True, status_code=200)
    def dispute(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[ReasonIn]) -> CommandAnswer:
        """The claimant disputes the assessment: it must be assessed again."""
        return self._act(
            request, services, claim_id, data, "dispute_assessment", {"reason": data.reason}, data.on, data.reason
        )

    @post("/{claim_id:uuid}/approval", guards=HANDLE, sync_to_thread=True, status_code=200)
    def approve(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[ApprovalIn]) -> CommandAnswer:
        """赔付决定 (核定) against the policy as it stood on the loss date (`not-covered-on-loss-date`), within
        the caller's authority for the amount (`insufficient-authority`, 403). The decision is notified to
        the claimant: it stops the 30-day clock without waiting for the claimant's agreement, which may
        follow (payment due 10 days after it) or be refused by a dispute (reassessment, a new decision)."""
        return _run(
            request,
            data,
            lambda ctx: commands.approve(
                services.app, ctx, claim_id, business_day(data.on), exclusion_applies=data.exclusion_applies
            ),
        )

    @post("/{claim_id:uuid}/rescission-finding", guards=HANDLE, sync_to_thread=True, status_code=200)
    def rescission_finding(
        self, request: Req, services: Svc, claim_id: Id, data: JSONBody[RescissionFindingIn]
    ) -> CommandAnswer:
        """Art. 16(5): after a rescission for gross negligence, whether the fact not disclosed seriously
        affected this earlier loss (refused) or not (judged as if not rescinded), with the reason."""
        return _run(
            request,
            data,
            lambda ctx: commands.record_rescission_finding(
                services.app,
                ctx,
                claim_id,
                seriously_affected=data.seriously_affected,
                reason=data.reason,
                on=business_day(data.on),
            ),
            data.reason,
        )

    @post("/{claim_id:uuid}/rejection", guards=HANDLE, sync_to_thread=True, status_code=200)
    def reject(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[RejectionIn]) -> CommandAnswer:
        """拒赔 with reasons; the written notice is due within 3 days (Art. 24)."""
        return self._act(
            request,
            services,
            claim_id,
            data,
            "reject",
            {"reasons": data.reasons, "decided_by": request.user.sub},
            data.on,
            "; ".join(data.reasons),
        )

    @post("/{claim_id:uuid}/rejection-notice", guards=HANDLE, sync_to_thread=True, status_code=200)
    def rejection_notice(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """The written rejection notice with its reasons is sent."""
        return self._act(request, services, claim_id, data, "send_rejection_notice", {}, data.on)

    @post("/{claim_id:uuid}/reserve", guards=HANDLE, sync_to_thread=True, status_code=200)
    def reserve(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[ReserveIn]) -> CommandAnswer:
        """Set the case reserve, with a reason."""
        return self._act(
            request,
            services,
            claim_id,
            data,
            "set_reserve",
            {"amount": data.amount, "reason": data.reason},
            data.on,
            data.reason,
        )

    @post("/{claim_id:uuid}/payments", guards=HANDLE, sync_to_thread=True, status_code=200)
    def pay(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[PaymentIn]) -> CommandAnswer:
        """A payment: final (after approval and agreement, `amount-not-agreed`) or an advance (Art. 25,
        within the caller's authority for the claim's payments with it: `insufficient-authority`, 403).
        It reduces the reserve and the policy's remaining sum insured for the period of the loss, and
        pays an installment the approval deducted for a loss in grace, in one transaction."""
        return _run(
            request,
            data,
            lambda ctx: commands.pay(
                services.app,
                ctx,
                claim_id,
                amount=data.amount,
                reference=data.reference,
                kind=data.kind,
                determinable_amount=data.determinable_amount,
                on=business_day(data.on),
            ),
        )

    @post("/{claim_id:uuid}/receipt-confirmation", guards=HANDLE, sync_to_thread=True, status_code=200)
    def confirm_receipt(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """The claimant confirms receipt of the payment."""
        return self._act(request, services, claim_id, data, "confirm_receipt", {}, data.on)

    @post("/{claim_id:uuid}/closing", guards=HANDLE, sync_to_thread=True, status_code=200)
    def close(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """结案: the reserve is released."""
        return self._act(request, services, claim_id, data, "close", {}, data.on)

    @post("/{claim_id:uuid}/reopening", guards=HANDLE, sync_to_thread=True, status_code=200)
    def reopen(self, request: Req, services: Svc, claim_id: Id, data: JSONBody[ReasonIn]) -> CommandAnswer:
        """Reopen a closed claim with a reason: a new round with its own clocks."""
        return self._act(request, services, claim_id, data, "reopen", {"reason": data.reason}, data.on, data.reason)


class ClaimController(ClaimCommands, ClaimQueries):
    """Claim commands and queries share one path."""
