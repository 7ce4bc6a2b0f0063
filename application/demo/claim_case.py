"""One demo claim's handling, step by step on the agenda, by one handler (SPEC §6; guide ch. 7):
documents and the one notice of missing ones, investigation (and rescission for non-disclosure),
assessment, dispute and reassessment, approval within authority, advances, payment, closing,
reopening, rejection and its written notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Concatenate, ParamSpec
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.commands import claim_payments as claim_payments
from application.commands import claims as claims
from application.commands import policy_servicing as servicing
from application.context import CommandContext
from application.demo import service as demo_service
from application.demo.claim_profiles import Profile
from application.demo.people import Cover
from application.demo.world import ASSESSORS, INVESTIGATORS, World
from domain.authority import CLAIMS_AUTHORITY_LIMITS
from domain.claim.aggregate import Claim
from domain.errors import DomainError

P = ParamSpec("P")


class Case:
    """One claim's handling, step by step on the agenda, by one handler."""

    def __init__(
        self, world: World, cover: Cover, claim_id: UUID, path: str, claimed: Decimal, profile: Profile, cause: str
    ) -> None:
        self.world, self.cover, self.id, self.path, self.claimed, self.profile = (
            world,
            cover,
            claim_id,
            path,
            claimed,
            profile,
        )
        self.cause = cause
        self.reserve, self.paid = claimed, Decimal(0)  # as the claim has them
        self.handler = world.rng.choice(("ch-wuyan", "ch-xutao", "ch-hejun", "ch-gaoyu"))
        self.assessments = 0

    def claim(self) -> Claim:
        return self.world.app.view(Claim, self.id)

    def act(
        self,
        command: Callable[Concatenate[InscribeApplication, CommandContext, UUID, date, P], CommandResult],
        *args: P.args,
        **arguments: P.kwargs,
    ) -> bool:
        """Run a claim command by the case's handler, dated today; False if refused."""
        w = self.world
        ctx = w.ctx("claims_handler", self.handler)
        return w.attempt(command.__name__, command, w.app, ctx, self.id, w.day, *args, **arguments) is not None

    # -- documents and acceptance (7.1; Art. 22) --------------------------------------------------------

    def documents(self) -> None:
        missing = self.claim().missing_documents
        arrived = missing[: len(missing) // 2] if self.path == "missing-documents" else missing
        for code in arrived:
            self.act(claims.receive_document, code=code)
        if self.path == "missing-documents":
            self.world.later(self.world.days(1, 2), self.notify_missing)
        else:
            self.accept()

    def notify_missing(self) -> None:
        if self.act(claims.notify_missing_documents):  # all of them, in one notice
            self.world.later(self.world.days(5, 25), self.rest_of_documents)

    def rest_of_documents(self) -> None:
        for code in self.claim().missing_documents:
            self.act(claims.receive_document, code=code)
        self.accept()

    def accept(self) -> None:
        if not self.act(claims.accept):
            return
        w, flagged = self.world, bool(self.claim().fraud_flags)
        investigated = (
            flagged or self.path in ("advance", "excluded", "rescinded", "large", "late-decision") or w.chance(0.2)
        )
        if investigated:
            w.later(w.days(1, 3), self.investigate)
        if self.path in ("not-covered", "excluded", "rescinded", "late-rejection-notice"):
            w.later(w.days(5, 12), self.reject)
        elif self.path == "advance":
            w.later(w.days(50, 55), self.advance)
        elif self.path == "late-decision":
            w.later(w.days(26, 29), self.assess)
        else:
            w.later(w.days(4, 12) if investigated else w.days(2, 10), self.assess)

    def investigate(self) -> None:
        findings = {
            "excluded": f"the loss falls under the exclusion {self.profile.exclusion}",
            "rescinded": "medical records show treatment before the application that was not disclosed",
        }
        self.act(
            claims.record_investigation,
            activity=self.profile.activity,
            investigator_id=self.world.rng.choice(INVESTIGATORS),
            findings=findings.get(self.path, "the loss and its cause are as reported"),
        )
        if self.path == "rescinded":
            self.rescind()

    def rescind(self) -> None:
        """Art. 16: the insurer learns of the non-disclosure and rescinds within 30 days."""
        w = self.world
        ground = w.rng.choice(("intentional", "gross_negligence"))
        if (
            w.attempt(
                "rescind",
                servicing.rescind,
                w.app,
                w.ctx("senior_underwriter"),
                self.cover.id,
                w.day,
                ground=ground,
                learned_on=w.day,
                insurer_knew_at_contracting=False,
            )
            is not None
        ):
            w.paths["policy:rescinded"] += 1
            if ground == "gross_negligence":  # Art. 16(5): the earlier treatment bears on this illness
                w.attempt(
                    "rescission_finding",
                    claims.record_rescission_finding,
                    w.app,
                    w.ctx("claims_handler", self.handler),
                    self.id,
                    seriously_affected=True,
                    reason="the treatment not disclosed was for the condition that caused this loss",
                    on=w.day,
                )

    # -- assessment and decision (7.2 (2)–(3), 7.3) ------------------------------------------------------

    def assess(self) -> None:
        w = self.world
        self.assessments += 1
        lump = self.cover.code in ("critical_illness", "term_life")
        share = Decimal(1) if lump else Decimal(str(round(w.rng.uniform(0.75, 1.0), 2)))
        if self.path == "disputed" and self.assessments == 1:
            share = share * Decimal("0.6")  # the first assessment is disputed, the second agreed
        if self.path == "reopened" and self.assessments > 1:
            self.claimed = (self.claimed * Decimal("1.3")).quantize(Decimal(1))  # further bills came in
        parts = [self.claimed] if lump else _split(w, self.claimed)
        items = [
            {
                "description": f"{self.cause.replace('_', ' ')}: item {n + 1}",
                "claimed": str(part),
                "assessed": str((part * share).quantize(Decimal(10))),
            }
            for n, part in enumerate(parts)
        ]
        if self.act(claims.assess, items=items, assessor_id=w.rng.choice(ASSESSORS)) and self.act(
            claims.notify_assessment
        ):
            assessed = sum((Decimal(i["assessed"]) for i in items), Decimal(0)) - self.paid
            if assessed != self.reserve and self.act(
                claims.set_reserve, amount=assessed, reason="reserve set to the assessed loss less payments"
            ):
                self.reserve = assessed
            w.later(w.days(0, 4), self.respond)

    def respond(self) -> None:
        w = self.world
        if self.path == "disputed" and self.assessments == 1:
            if self.act(claims.dispute_assessment, reason="the repair quotes are higher than the assessment"):
                w.later(w.days(3, 10), self.assess)
        elif self.act(claims.agree_assessment):
            w.later(
                w.days(33, 45) - (w.day - self.claim().reported_on).days
                if self.path == "late-decision"
                else w.days(0, 3),
                self.approve,
            )

    def approve(self) -> None:
        w = self.world
        try:
            computed = claims.settlement(w.app, self.id)
        except DomainError as refusal:  # not covered on the loss date: reject instead
            w.refused[f"settlement: {refusal.code}"] += 1
            self.reject()
            return
        limit = CLAIMS_AUTHORITY_LIMITS["claims_handler"]
        total = computed["payable"] + computed["already_paid"]
        role = "claims_handler" if limit is not None and total <= limit else "claims_manager"
        ctx = w.ctx(role, self.handler if role == "claims_handler" else None)
        if w.attempt("approve", claims.approve, w.app, ctx, self.id, w.day) is None:
            return
        w.paths[f"claim:approved-by-{role.replace('_', '-')}"] += 1
        if computed["payable"] > 0:
            w.later(w.days(11, 14) if w.chance(0.03) else w.days(1, 7), self.pay)
        else:
            self.act(claims.close)

    def advance(self) -> None:
        """Art. 25: undetermined at 60 days, the determinable part is paid in advance."""
        w = self.world
        part = (self.claimed * Decimal("0.4")).quantize(Decimal(1))
        limit = CLAIMS_AUTHORITY_LIMITS["claims_handler"]  # an advance needs an approval's authority
        small = limit is not None and self.paid + part <= limit
        ctx = w.ctx("claims_handler", self.handler) if small else w.ctx("claims_manager")
        done = w.attempt(
            "pay_advance",
            claim_payments.pay,
            w.app,
            ctx,
            self.id,
            amount=part,
            reference=f"ADV-{self.id.hex[:8]}",
            kind="advance",
            determinable_amount=part,
            on=w.day,
        )
        if done is not None:
            w.paths["claim:advance-paid"] += 1
            self.reserve, self.paid = max(Decimal(0), self.reserve - part), self.paid + part
        w.later(w.days(10, 25), self.assess)

    def pay(self) -> None:
        w = self.world
        outstanding = self.claim().outstanding
        if (
            outstanding > 0
            and w.attempt(
                "pay_claim",
                claim_payments.pay,
                w.app,
                w.ctx("claims_handler", self.handler),
                self.id,
                amount=outstanding,
                reference=f"PAY-{self.id.hex[:8]}-{w.day:%m%d}",
                on=w.day,
            )
            is not None
        ):
            w.paths["claim:paid"] += 1
            self.reserve, self.paid = max(Decimal(0), self.reserve - outstanding), self.paid + outstanding
            w.later(w.days(1, 5), self.confirm_and_close)

    def confirm_and_close(self) -> None:
        w = self.world
        if self.act(claims.confirm_receipt) and self.act(claims.close):
            self.reserve = Decimal(0)  # released
            if w.chance(0.4):
                w.later(w.days(3, 15), demo_service.survey, w, self.cover.holder, str(self.id), 4)
            if self.path == "reopened" and self.claim().round == 1:
                w.later(w.days(20, 60), self.reopen)

    def reopen(self) -> None:
        if self.act(claims.reopen, reason="further bills for the same loss were received"):
            self.world.paths["claim:reopened"] += 1
            self.world.later(self.world.days(3, 10), self.assess)

    # -- rejection (Art. 24) --------------------------------------------------------------------------------

    def reject(self) -> None:
        w = self.world
        reasons = {
            "not-covered": [f"the cause {self.cause} is not covered by the policy"],
            "excluded": [f"the exclusion {self.profile.exclusion} applies"],
            "rescinded": ["the policy was rescinded for non-disclosure (Art. 16)"],
        }
        why = reasons.get(self.path, ["the loss is not covered by the policy on the loss date"])
        if self.act(claims.reject, reasons=why, decided_by=self.handler):
            w.paths["claim:rejected"] += 1
            late = self.path == "late-rejection-notice"
            w.later(w.days(5, 8) if late else w.days(0, 2), self.notice)

    def notice(self) -> None:
        w = self.world
        if self.act(claims.send_rejection_notice):
            w.later(w.days(0, 3), self.act, claims.close)
            if w.chance(0.15):
                w.later(w.days(3, 20), demo_service.complaint, w, self.cover.holder, "claims", self.cover.id, self.id)
            elif w.chance(0.3):
                w.later(w.days(3, 15), demo_service.survey, w, self.cover.holder, str(self.id), 2)


def _split(world: World, amount: Decimal) -> list[Decimal]:
    """One to three loss items summing to `amount`."""
    parts = world.rng.choice((1, 2, 3))
    if parts == 1 or amount < 3000:
        return [amount]
    first = (amount * Decimal(str(round(world.rng.uniform(0.3, 0.6), 2)))).quantize(Decimal(1))
    rest = amount - first
    if parts == 2:
        return [first, rest]
    second = (rest / 2).quantize(Decimal(1))
    return [first, second, rest - second]
