"""The policy office through the application layer (no HTTP): customers registered by seed, policies
applied for with the catalogue's products and paid. Used by the policy application and report tests."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from application.commands import policies as policies
from application.commands import policy_servicing as servicing
from application.commands.customers import register_enterprise, register_individual
from domain.policy.aggregate import Policy
from tests.builders.common import ctx, enterprise, individual

START = date(2025, 1, 10)


def agent() -> Any:
    """An agent's command context."""
    return ctx("alice", "agent")


class Office:
    """The application layer with the catalogue's products; customers registered by seed."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self.app = services.app

    def person(self, seed: int, **overrides: Any) -> UUID:
        return UUID(register_individual(self.app, ctx(), **individual(seed, **overrides)).id)

    def firm(self, seed: int, **overrides: Any) -> UUID:
        return UUID(register_enterprise(self.app, ctx(), **enterprise(seed, **overrides)).id)

    def apply(
        self,
        applicant: UUID,
        product: str = "term_life",
        *,
        insured: UUID | None = None,
        relationship: str = "self",
        sum_insured: str = "500000",
        term: int = 120,
        mode: str = "annual",
        adverse: tuple[str, ...] = (),
        on: date = START,
        **extra: Any,
    ) -> Policy:
        """Apply once the read side has seen everything so far; the policy as recorded."""
        self.services.read_side.catch_up()
        chosen = self.app.catalogue.get(product)
        questions = [
            q
            for p in (chosen, *(self.app.catalogue.get(r["product_code"]) for r in extra.get("riders", ())))
            for q in p.disclosure_questions
        ]
        answers = {q.id: q.adverse == (q.id in adverse) for q in questions}
        personal = chosen.line in ("life", "health", "accident")
        result = policies.apply_for_policy(
            self.app,
            agent(),
            applicant_id=applicant,
            insured_id=insured or applicant,
            relationship=relationship,
            product_code=product,
            sum_insured=sum_insured,
            term_months=term,
            premium_mode=mode,
            disclosures=answers,
            beneficiaries=[{"name": "王芳", "share": "100"}] if personal else [],
            applied_on=on,
            **extra,
        )
        return self.load(result.id)

    def load(self, policy_id: Any) -> Policy:
        policy: Policy = self.app.load(Policy, UUID(str(policy_id)))
        return policy

    def pay(self, policy: Policy, on: date) -> Policy:
        due = policy.quoted_installment if policy.status == "referred" else policy.installment
        unpaid = [i for i in policy.schedule if i["paid_on"] is None]
        if policy.status == "in_force" and unpaid:
            due = unpaid[0]["amount"]
        servicing.pay_premium(self.app, agent(), policy.id, on, amount=due, reference="bank")
        return self.load(policy.id)

    def stored(self) -> int:
        return int(self.app.recorder.max_notification_id() or 0)
