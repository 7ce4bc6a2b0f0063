"""Builders for claim tests through the application layer (no HTTP): a home policy in force and
claims on it taken step by step. Used by the integration tests of claims and their registers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from application.commands import claim_payments as claim_payments
from application.commands import claims as claims
from application.commands import policies as policies
from application.commands import policy_servicing as servicing
from application.commands.customers import register_individual
from domain.claim.aggregate import Claim
from domain.policy.aggregate import Policy
from tests.builders.common import ctx, individual

D = date
#: The policy is applied for and paid on START; cover runs a year from the day after.
START = D(2026, 1, 5)
HOME: dict[str, Any] = {
    "product_code": "home_property",
    "relationship": "owner",
    "term_months": 12,
    "premium_mode": "annual",
    "sum_insured": "800000",
    "declared_property_value": "1000000",
}


def agent() -> Any:
    return ctx("alice", "agent")


def handler() -> Any:
    return ctx("hana", "claims_handler")


def manager() -> Any:
    return ctx("mo", "claims_manager")


class ClaimDesk:
    """Customers, a policy in force, and claims moved through their lifecycle by name."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self.app = services.app
        self.ids: dict[str, UUID] = {}

    # -- policies --------------------------------------------------------------------------------

    def person(self, seed: int) -> UUID:
        return UUID(register_individual(self.app, agent(), **individual(seed)).id)

    def home_policy(
        self, seed: int = 1, on: date = START, *, mode: str = "annual", paid: bool = True, **overrides: Any
    ) -> Policy:
        """A home policy applied for and paid on `on`: in force from the next day (not `paid`: as applied for)."""
        holder = self.person(seed)
        self.services.read_side.catch_up()
        terms = {**HOME, "premium_mode": mode, **overrides}
        product = self.app.catalogue.get(terms["product_code"])
        clean = {q.id: not q.adverse for q in product.disclosure_questions}  # every answer the harmless one
        result = policies.apply_for_policy(
            self.app, agent(), applicant_id=holder, insured_id=holder, applied_on=on, disclosures=clean, **terms
        )
        policy = self.policy(result.id)
        if paid:
            servicing.pay_premium(self.app, agent(), policy.id, on, amount=policy.installment, reference="bank")
        return self.policy(policy.id)

    def policy(self, policy_id: Any) -> Policy:
        policy: Policy = self.app.load(Policy, UUID(str(policy_id)))
        return policy

    # -- claims --------------------------------------------------------------------------------

    def report(
        self,
        name: str,
        policy: Policy,
        *,
        loss: date,
        reported: date,
        cause: str = "fire",
        estimate: str = "20000",
        reserve: str = "20000",
        **extra: Any,
    ) -> Claim:
        self.services.read_side.catch_up()  # the fraud indicators count earlier claims from the register
        result = claims.report(
            self.app,
            handler(),
            policy_id=policy.id,
            claimant_id=policy.insured_id,
            claimant_role="insured",
            loss_date=loss,
            cause=cause,
            description="kitchen fire",
            estimated_amount=estimate,
            initial_reserve=reserve,
            reported_on=reported,
            **extra,
        )
        self.ids[name] = UUID(result.id)
        return self.claim(name)

    def claim(self, name: str) -> Claim:
        claim: Claim = self.app.load(Claim, self.ids[name])
        return claim

    def act(self, name: str, method: str, on: date, who: Any = None, **arguments: Any) -> Claim:
        getattr(claims, method)(self.app, who or handler(), self.ids[name], on, **arguments)
        return self.claim(name)

    def documents(self, name: str, on: date, codes: list[str] | None = None) -> Claim:
        """Receive the given documents (default: every one still missing) on `on`."""
        for code in codes if codes is not None else self.claim(name).missing_documents:
            self.act(name, "receive_document", on, code=code)
        return self.claim(name)

    def assess(self, name: str, on: date, assessed: str = "10500", claimed: str | None = None) -> Claim:
        self.act(
            name,
            "assess",
            on,
            items=[{"description": "kitchen", "claimed": claimed or assessed, "assessed": assessed}],
            assessor_id="assessor-1",
        )
        self.act(name, "notify_assessment", on)
        return self.act(name, "agree_assessment", on)

    def approve(self, name: str, on: date, who: Any = None, **extra: Any) -> Claim:
        claims.approve(self.app, who or handler(), self.ids[name], on, **extra)
        return self.claim(name)

    def pay(self, name: str, on: date, amount: Any = None, kind: str = "final", **extra: Any) -> Claim:
        claim = self.claim(name)
        claim_payments.pay(
            self.app,
            handler(),
            claim.id,
            amount=amount if amount is not None else claim.outstanding,
            reference=f"pay-{name}-{on}",
            kind=kind,
            on=on,
            **extra,
        )
        return self.claim(name)

    def to_paid(
        self, name: str, policy: Policy, loss: date, reported: date, *, assessed: str = "10500", who: Any = None
    ) -> Claim:
        """Report → documents → accept → assess → approve → pay, all on `reported` + a few days."""
        self.report(name, policy, loss=loss, reported=reported)
        self.documents(name, reported)
        self.act(name, "accept", reported)
        self.assess(name, reported + timedelta(days=2), assessed)
        self.approve(name, reported + timedelta(days=3), who)
        return self.pay(name, reported + timedelta(days=4))

    def stored(self) -> int:
        return int(self.app.recorder.max_notification_id() or 0)
