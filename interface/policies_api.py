"""The policy API: commands (POST) under /api/v1/policies; the registers are in policy_queries_api."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application.commands import examinations
from application.commands import policies as commands
from application.commands import policy_servicing as servicing
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.http import CommandAnswer, answer, business_day, command_context
from interface.policy_queries_api import PolicyQueries
from interface.policy_schemas import (
    ApplicationIn,
    ChangeIn,
    DecisionIn,
    DemandIn,
    ExaminationOrderIn,
    ExaminationReportIn,
    IncreaseDecisionIn,
    IncreaseIn,
    OnIn,
    PaymentIn,
    ReinstatementDecisionIn,
    RescissionIn,
)

Req = Request[Principal, Any, Any]
Svc = NamedDependency[Services]
Id = FromPath[UUID]


class PolicyCommands(Controller):
    """Commands on policies. Each answers id, version and position; If-Match and Idempotency-Key apply."""

    path = "/api/v1/policies"
    tags = ["policies"]

    @post("/", guards=[requires("policies.apply")], sync_to_thread=True, status_code=201)
    def apply(self, request: Req, services: Svc, data: JSONBody[ApplicationIn]) -> CommandAnswer:
        """投保: apply for cover. Automatic underwriting (6.2) runs at once: clean cases are accepted,
        any adverse finding refers the case to an underwriter."""
        ctx = command_context(request, data)
        return answer(
            commands.apply_for_policy(
                services.app,
                ctx,
                applicant_id=data.applicant_id,
                insured_id=data.insured_id,
                relationship=data.relationship,
                product_code=data.product_code,
                product_version=data.product_version,
                sum_insured=data.sum_insured,
                term_months=data.term_months,
                premium_mode=data.premium_mode,
                beneficiaries=[b.model_dump(exclude_none=True) for b in data.beneficiaries],
                riders=[r.model_dump(exclude_none=True) for r in data.riders],
                disclosures=data.disclosures,
                channel=data.channel,
                agent_id=data.agent_id,
                applied_on=data.applied_on,
                insured_consent=data.insured_consent,
                declared_property_value=data.declared_property_value,
            )
        )

    @post(
        "/{policy_id:uuid}/underwriting-decision",
        guards=[requires("policies.underwrite")],
        sync_to_thread=True,
        status_code=200,
    )
    def underwriting_decision(
        self, request: Req, services: Svc, policy_id: Id, data: JSONBody[DecisionIn]
    ) -> CommandAnswer:
        """核保决定 (6.3) on a referred case; the role must carry authority for the sum insured
        (underwriter up to 1,000,000; senior underwriter above)."""
        ctx = command_context(request, data, reason=data.reason or None)
        return answer(
            commands.decide(
                services.app,
                ctx,
                policy_id,
                data.decision,
                reason=data.reason,
                loading_pct=data.loading_pct,
                exclusions=data.exclusions,
                suggested_products=data.suggested_products,
                decided_on=data.decided_on,
            )
        )

    @post(
        "/{policy_id:uuid}/examinations", guards=[requires("policies.underwrite")], sync_to_thread=True, status_code=201
    )
    def order_examination(
        self, request: Req, services: Svc, policy_id: Id, data: JSONBody[ExaminationOrderIn]
    ) -> CommandAnswer:
        """审核检验 (6.1.2 (2)): order a medical examination or a property survey of a referred case. It is
        numbered within the policy (1, 2, …) and due 15 days later, counted as the Civil Code counts; no
        acceptance or offer until it is reported."""
        ctx = command_context(request, data)
        return answer(
            examinations.order_examination(services.app, ctx, policy_id, business_day(data.on), data.kind, data.reason)
        )

    @post(
        "/{policy_id:uuid}/examinations/{no:int}/report",
        guards=[requires("policies.underwrite")],
        sync_to_thread=True,
        status_code=200,
    )
    def report_examination(
        self, request: Req, services: Svc, policy_id: Id, no: FromPath[int], data: JSONBody[ExaminationReportIn]
    ) -> CommandAnswer:
        """An examination's findings, recorded as a finding of the case: a decision then carries at least
        their loading and exclusions, or declines or postpones when they call for a decline."""
        ctx = command_context(request, data)
        return answer(
            examinations.report_examination(
                services.app,
                ctx,
                policy_id,
                business_day(data.on),
                no,
                examiner=data.examiner,
                examined_on=data.examined_on,
                result=data.result,
                summary=data.summary,
                loading_pct=data.loading_pct,
                exclusions=data.exclusions,
            )
        )

    @post(
        "/{policy_id:uuid}/conditions-acceptance",
        guards=[requires("policies.service")],
        sync_to_thread=True,
        status_code=200,
    )
    def accept_conditions(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[OnIn]) -> CommandAnswer:
        """The applicant accepts the underwriter's conditions (loading, exclusions)."""
        ctx = command_context(request, data)
        return answer(commands.accept_conditions(services.app, ctx, policy_id, business_day(data.on)))

    @post(
        "/{policy_id:uuid}/conditions-refusal",
        guards=[requires("policies.service")],
        sync_to_thread=True,
        status_code=200,
    )
    def refuse_conditions(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[OnIn]) -> CommandAnswer:
        """The applicant refuses the conditions: the application is withdrawn."""
        ctx = command_context(request, data)
        return answer(commands.refuse_conditions(services.app, ctx, policy_id, business_day(data.on)))

    @post(
        "/{policy_id:uuid}/premium-payments",
        guards=[requires("policies.premium")],
        sync_to_thread=True,
        status_code=200,
    )
    def pay_premium(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[PaymentIn]) -> CommandAnswer:
        """A premium payment of exactly the amount due. The first one, once accepted, issues the contract."""
        ctx = command_context(request, data)
        return answer(
            servicing.pay_premium(
                services.app, ctx, policy_id, business_day(data.paid_on), amount=data.amount, reference=data.reference
            )
        )

    @post(
        "/{policy_id:uuid}/payment-demands", guards=[requires("policies.premium")], sync_to_thread=True, status_code=200
    )
    def demand_payment(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[DemandIn]) -> CommandAnswer:
        """催告: demand an overdue installment; for life and health the grace ends 30 days later at most."""
        ctx = command_context(request, data)
        return answer(
            servicing.demand_payment(
                services.app, ctx, policy_id, business_day(data.on), installment_no=data.installment_no
            )
        )

    @post("/{policy_id:uuid}/receipt", guards=[requires("policies.service")], sync_to_thread=True, status_code=200)
    def sign_receipt(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[OnIn]) -> CommandAnswer:
        """The applicant's signed receipt of the contract: the cooling-off period starts."""
        ctx = command_context(request, data)
        return answer(servicing.sign_receipt(services.app, ctx, policy_id, business_day(data.on)))

    @post(
        "/{policy_id:uuid}/cooling-off-cancellation",
        guards=[requires("policies.service")],
        sync_to_thread=True,
        status_code=200,
    )
    def cancel_in_cooling_off(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[OnIn]) -> CommandAnswer:
        """犹豫期退保: all premium refunded less the product's fee (at most 10 yuan)."""
        ctx = command_context(request, data)
        return answer(servicing.cancel_in_cooling_off(services.app, ctx, policy_id, business_day(data.on)))

    @post(
        "/{policy_id:uuid}/reinstatement-requests",
        guards=[requires("policies.service")],
        sync_to_thread=True,
        status_code=200,
    )
    def request_reinstatement(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[OnIn]) -> CommandAnswer:
        """复效申请 (Art. 37): within two years of the lapse; 30 days of silence count as consent."""
        ctx = command_context(request, data)
        return answer(servicing.request_reinstatement(services.app, ctx, policy_id, business_day(data.on)))

    @post(
        "/{policy_id:uuid}/reinstatement-decision",
        guards=[requires("policies.underwrite")],
        sync_to_thread=True,
        status_code=200,
    )
    def decide_reinstatement(
        self, request: Req, services: Svc, policy_id: Id, data: JSONBody[ReinstatementDecisionIn]
    ) -> CommandAnswer:
        """Agree, or refuse only because the risk has risen markedly, within 30 days of the request."""
        ctx = command_context(request, data, reason=data.reason or None)
        return answer(
            servicing.decide_reinstatement(
                services.app, ctx, policy_id, business_day(data.on), agree=data.agree, reason=data.reason
            )
        )

    @post(
        "/{policy_id:uuid}/arrears-payments",
        guards=[requires("policies.premium")],
        sync_to_thread=True,
        status_code=200,
    )
    def pay_arrears(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[PaymentIn]) -> CommandAnswer:
        """The arrears after an agreed reinstatement: cover resumes on the payment date."""
        ctx = command_context(request, data)
        return answer(
            servicing.pay_arrears(
                services.app, ctx, policy_id, business_day(data.paid_on), amount=data.amount, reference=data.reference
            )
        )

    @post("/{policy_id:uuid}/changes", guards=[requires("policies.service")], sync_to_thread=True, status_code=200)
    def change(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[ChangeIn]) -> CommandAnswer:
        """A change in writing (5.3): beneficiary, contacts, premium mode, or a decrease of the sum insured.
        A beneficiary change where the applicant is not the insured needs `insured_consent_document`,
        the insured's written consent (Art. 41)."""
        ctx = command_context(request, data, reason=f"document {data.document_ref}")
        return answer(
            servicing.change(
                services.app,
                ctx,
                policy_id,
                business_day(data.on),
                kind=data.kind,
                details=data.details,
                document_ref=data.document_ref,
                effective_on=data.effective_on,
                insured_consent_document=data.insured_consent_document,
            )
        )

    @post(
        "/{policy_id:uuid}/sum-insured-increases",
        guards=[requires("policies.service")],
        sync_to_thread=True,
        status_code=200,
    )
    def request_increase(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[IncreaseIn]) -> CommandAnswer:
        """Ask for a higher sum insured: it is underwritten again before it takes effect."""
        ctx = command_context(request, data, reason=f"document {data.document_ref}")
        return answer(
            servicing.request_sum_insured_increase(
                services.app,
                ctx,
                policy_id,
                business_day(data.on),
                new_sum_insured=data.new_sum_insured,
                document_ref=data.document_ref,
                effective_on=data.effective_on,
            )
        )

    @post(
        "/{policy_id:uuid}/sum-insured-increase-decision",
        guards=[requires("policies.underwrite")],
        sync_to_thread=True,
        status_code=200,
    )
    def decide_increase(
        self, request: Req, services: Svc, policy_id: Id, data: JSONBody[IncreaseDecisionIn]
    ) -> CommandAnswer:
        """The underwriter's decision on a requested increase, within authority for the new sum."""
        ctx = command_context(request, data, reason=data.reason or None)
        return answer(
            servicing.decide_sum_insured_increase(
                services.app, ctx, policy_id, data.approved, reason=data.reason, decided_on=data.decided_on
            )
        )

    @post(
        "/{policy_id:uuid}/renewal-offers", guards=[requires("policies.service")], sync_to_thread=True, status_code=200
    )
    def offer_renewal(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[OnIn]) -> CommandAnswer:
        """续保: offer renewal of a short-term policy (the scheduler also does this on the due day)."""
        ctx = command_context(request, data)
        return answer(servicing.offer_renewal(services.app, ctx, policy_id, data.on))

    @post("/{policy_id:uuid}/renewals", guards=[requires("policies.premium")], sync_to_thread=True, status_code=200)
    def renew(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[PaymentIn]) -> CommandAnswer:
        """Accept the renewal offer by paying its first premium."""
        ctx = command_context(request, data)
        return answer(
            servicing.renew(
                services.app, ctx, policy_id, business_day(data.paid_on), amount=data.amount, reference=data.reference
            )
        )

    @post("/{policy_id:uuid}/surrender", guards=[requires("policies.service")], sync_to_thread=True, status_code=200)
    def surrender(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[OnIn]) -> CommandAnswer:
        """退保: unearned premium refunded (pro rata for short-term; the cash value table for life)."""
        ctx = command_context(request, data)
        return answer(servicing.surrender(services.app, ctx, policy_id, business_day(data.on)))

    @post("/{policy_id:uuid}/rescission", guards=[requires("policies.rescind")], sync_to_thread=True, status_code=200)
    def rescind(self, request: Req, services: Svc, policy_id: Id, data: JSONBody[RescissionIn]) -> CommandAnswer:
        """解除合同 for non-disclosure (Art. 16), with the refund the ground allows."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(
            servicing.rescind(
                services.app,
                ctx,
                policy_id,
                business_day(data.on),
                ground=data.ground,
                learned_on=data.learned_on,
                insurer_knew_at_contracting=data.insurer_knew_at_contracting,
            )
        )


class PolicyController(PolicyCommands, PolicyQueries):
    """Policy commands and queries share one path (Litestar routes one controller per path)."""
