"""Demo claims (SPEC §6; guide ch. 7) at a plausible frequency per line, through every path: paid
straight through, missing documents with the one notice, disputed and reassessed, rejected as not
covered or excluded (with the written notice, now and then late), advances at 60 days, large ones
approved by a claims manager, late decisions that breach the Art. 23 clock, reopenings, and
rescission for non-disclosure found in the investigation. Each step is a command of application.commands.claims.
The book's first term life with the accidental-death rider ends in an accidental death past the waiting
period: the main cover and the rider both pay, and the claim ends the policy (SPEC §5 "Cover is main
cover plus riders", "Ended by a claim").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.commands import claims as claims
from application.commands import policies as policies
from application.demo import service as demo_service
from application.demo.people import Cover
from application.demo.world import ASSESSORS, INVESTIGATORS, World
from domain.authority import CLAIMS_AUTHORITY_LIMITS
from domain.claim.aggregate import Claim
from domain.errors import DomainError
from domain.policy.aggregate import Policy
from domain.policy.rules import add_years

K = 1000


@dataclass(frozen=True)
class Profile:
    """How claims on a product come: yearly frequency, causes, amounts, and what is not covered."""

    rate: float
    causes: dict[str, int]  # covered cause → weight
    amount: Callable[[World, Decimal, bool], int]  # (world, sum insured, large) → amount claimed
    uncovered: str  # a cause the product does not cover
    exclusion: str  # an exclusion found by investigation
    activity: str  # the usual investigation (7.2 (1))


def _range(low: int, high: int, large: tuple[int, int]) -> Callable[[World, Decimal, bool], int]:
    """An amount in yuan (a large one for the large paths), never above 85 % of the sum insured left."""
    return lambda w, si, big: min(w.days(*(large if big else (low, high))), int(si * Decimal("0.85")))


def _share(low: float, high: float, large: tuple[float, float]) -> Callable[[World, Decimal, bool], int]:
    """A share of the sum insured (commercial cover: the loss grows with what is insured)."""
    return lambda w, si, big: int(si * Decimal(str(round(w.rng.uniform(*(large if big else (low, high))), 4))))


def _lump(w: World, si: Decimal, big: bool) -> int:  # the sum insured, as critical illness and disability pay
    return int(si)


def _illness(w: World, si: Decimal, big: bool) -> int:  # a mild critical illness pays 30 %
    return int(si) if big else int(si * Decimal("0.3"))


def _accident(w: World, si: Decimal, big: bool) -> int:
    return int(si * Decimal(str(round(w.rng.uniform(0.03, 0.1), 3)))) if big else w.days(800, 2500)


#: Frequent small claims and rare large ones, giving loss ratios near what such lines run at (0.4–0.7).
PROFILES: dict[str, Profile] = {
    "medical": Profile(
        0.12,
        {
            "illness_hospitalisation": 55,
            "accident_hospitalisation": 15,
            "special_outpatient": 20,
            "outpatient_surgery": 10,
        },
        _range(11 * K, 17 * K, (80 * K, 200 * K)),
        "dental_care",
        "pre_existing_condition",
        "records_review",
    ),
    "critical_illness": Profile(
        0.012,
        {"critical_illness": 30, "mild_critical_illness": 70},
        _illness,
        "general_illness",
        "pre_existing_condition",
        "records_review",
    ),
    "term_life": Profile(
        0.0005,
        {"total_permanent_disability": 1},
        _lump,
        "partial_disability",
        "drunk_or_unlicensed_driving",
        "interview",
    ),
    "personal_accident": Profile(
        0.05,
        {"accidental_medical": 97, "accidental_disability": 3},
        _accident,
        "illness",
        "dangerous_sports",
        "interview",
    ),
    "home_property": Profile(
        0.15,
        {"burst_pipe": 30, "theft": 20, "fire": 15, "storm": 15, "flood": 10, "falling_objects": 10},
        _range(1 * K, 8 * K, (60 * K, 300 * K)),
        "mechanical_breakdown",
        "wear_and_tear",
        "site_survey",
    ),
    "enterprise_property": Profile(
        0.25,
        {"fire": 30, "storm": 25, "flood": 20, "explosion": 10, "lightning": 10, "hail": 5},
        _share(0.0005, 0.005, (0.02, 0.06)),
        "mechanical_breakdown",
        "wear_and_tear",
        "site_survey",
    ),
    "public_liability": Profile(
        0.25,
        {"third_party_injury": 55, "third_party_property_damage": 35, "legal_costs": 10},
        _share(0.001, 0.008, (0.03, 0.1)),
        "employee_injury",
        "contractual_liability",
        "cause_and_liability",
    ),
    "trade_credit": Profile(
        0.2,
        {"buyer_insolvency": 40, "protracted_default": 50, "buyer_repudiation": 10},
        _share(0.002, 0.012, (0.04, 0.12)),
        "quality_dispute",
        "related_party_buyer",
        "records_review",
    ),
}
#: Paths and their weights; the first claims of a book take each path once, in this order. A claim
#: on life or health cover formed less than two years before may turn out "rescinded" instead of "paid".
PATHS = (
    "paid",
    "not-covered",
    "missing-documents",
    "disputed",
    "large",
    "excluded",
    "reopened",
    "late-decision",
    "advance",
    "late-rejection-notice",
)
WEIGHTS = (54, 8, 14, 7, 3, 4, 3, 3, 2, 2)


def plan_year(
    world: World, cover: Cover, start: date, earliest: date, period_end: date, policy: Policy | None = None
) -> None:
    """Draw the claims of one year of cover from `start`, the losses after `earliest` (the waiting
    period); long-term cover draws again on each anniversary while in force."""
    current = policy or world.app.view(Policy, cover.id)
    if current.status != "in_force":
        return
    end = min(add_years(start, 1) - timedelta(days=1), period_end)
    _plan_accidental_death(world, cover, current, max(earliest, start), end)
    profile = PROFILES[cover.code]
    draw, rate = world.rng.random(), profile.rate * world.activity
    count = 2 if draw < rate * 0.15 else 1 if draw < rate else 0
    first = max(earliest, start)
    for _ in range(count if first <= end else 0):
        loss = first + timedelta(days=world.days(0, (end - first).days))
        world.at(loss + timedelta(days=world.days(0, 20)), report, world, cover, loss)
    if end < period_end:
        world.at(end + timedelta(days=1), plan_year, world, cover, end + timedelta(days=1), earliest, period_end)


def _plan_accidental_death(world: World, cover: Cover, policy: Policy, first: date, end: date) -> None:
    """The book's first term life with the accidental-death rider: an accidental death a few weeks past
    the waiting period, reported by the family within days."""
    if (
        cover.code != "term_life"
        or world.paths["death:planned"]
        or not any(r["code"] == "accidental_death_rider" for r in policy.riders)
    ):
        return
    loss = first + timedelta(days=world.days(5, 30))
    if loss <= end and loss + timedelta(days=60) <= world.end:  # time enough to settle it in the book
        world.paths["death:planned"] += 1
        world.at(loss + timedelta(days=world.days(2, 10)), report_death, world, cover, loss)


def report_death(world: World, cover: Cover, loss: date, cause: str = "accidental_death") -> None:
    """报案 of the insured's death by the applicant's side (the family), claiming every cover that
    responds: for an accidental death on term life with the rider, both sums insured."""
    policy = world.app.view(Policy, cover.id)
    if policy.status_on(loss) != "in_force" or policy.status != "in_force":
        return
    claimed = sum((p.remaining_sum_insured for p in policy.cover_on(loss).covers if p.responds(cause)), Decimal(0))
    done = world.attempt(
        "report_claim",
        claims.report,
        world.app,
        world.ctx("claims_handler"),
        policy_id=cover.id,
        claimant_id=cover.holder.id,
        claimant_role="applicant",
        loss_date=loss,
        cause=cause,
        description=f"death of the insured: {cause.replace('_', ' ')} on {loss}",
        estimated_amount=claimed,
        initial_reserve=claimed,
        reported_on=world.day,
    )
    if done is not None:
        cover.claims.append(UUID(done.id))
        world.paths[f"claim-path:{cause.replace('_', '-')}"] += 1
        Case(world, cover, UUID(done.id), "paid", claimed, PROFILES[cover.code], cause).documents()


def report(world: World, cover: Cover, loss: date) -> None:
    """报案 by the insured (or the parent who insured a child)."""
    policy = world.app.view(Policy, cover.id)
    if policy.status_on(loss) != "in_force" or policy.status in ("rescinded", "cancelled", "surrendered"):
        return
    path = world.pick("claim-path", PATHS, WEIGHTS)
    formed = policy.start_date or loss
    if (
        path == "paid"
        and cover.line in ("life", "health")
        and world.day <= add_years(formed, 2)
        and world.pick("rescission", (True, False), (4, 96))
    ):
        path = "rescinded"  # the investigation finds what the application did not disclose (Art. 16)
    profile = PROFILES[cover.code]
    covered = {c: n for c, n in profile.causes.items() if c in policy.product_terms["covered_causes"]}
    cause = (
        profile.uncovered
        if path == "not-covered" or not covered
        else world.rng.choices(list(covered), weights=list(covered.values()))[0]
    )
    remaining = max(policy.remaining_sum_insured, Decimal(0))
    big = path in ("large", "advance") or cause in ("accidental_disability", "critical_illness")
    claimed = profile.amount(world, remaining, big)
    if claimed <= int(policy.product_terms["deductible"]) + 100:
        return  # nothing worth claiming is left of the sum insured
    by_parent = cover.holder is not cover.insured
    done = world.attempt(
        "report_claim",
        claims.report,
        world.app,
        world.ctx("claims_handler"),
        policy_id=cover.id,
        claimant_id=(cover.holder if by_parent else cover.insured).id,
        claimant_role="applicant" if by_parent else "insured",
        loss_date=loss,
        cause=cause,
        description=f"{cause.replace('_', ' ')} on {loss}",
        estimated_amount=claimed,
        initial_reserve=claimed,
        reported_on=world.day,
    )
    if done is not None:
        cover.claims.append(UUID(done.id))
        world.paths[f"claim-path:{path}"] += 1
        Case(world, cover, UUID(done.id), path, Decimal(claimed), profile, cause).documents()


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

    def act(self, method: str, role: str = "claims_handler", **arguments: Any) -> bool:
        actor = self.handler if role == "claims_handler" else None
        return (
            self.world.attempt(
                method,
                claims.act,
                self.world.app,
                self.world.ctx(role, actor),
                self.id,
                method,
                self.world.day,
                **arguments,
            )
            is not None
        )

    # -- documents and acceptance (7.1; Art. 22) --------------------------------------------------------

    def documents(self) -> None:
        missing = self.claim().missing_documents
        arrived = missing[: len(missing) // 2] if self.path == "missing-documents" else missing
        for code in arrived:
            self.act("receive_document", code=code)
        if self.path == "missing-documents":
            self.world.later(self.world.days(1, 2), self.notify_missing)
        else:
            self.accept()

    def notify_missing(self) -> None:
        if self.act("notify_missing_documents"):  # all of them, in one notice
            self.world.later(self.world.days(5, 25), self.rest_of_documents)

    def rest_of_documents(self) -> None:
        for code in self.claim().missing_documents:
            self.act("receive_document", code=code)
        self.accept()

    def accept(self) -> None:
        if not self.act("accept"):
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
            "record_investigation",
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
                policies.act,
                w.app,
                w.ctx("senior_underwriter"),
                self.cover.id,
                "rescind",
                w.day,
                on=w.day,
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
        if self.act("assess", items=items, assessor_id=w.rng.choice(ASSESSORS)) and self.act("notify_assessment"):
            assessed = sum((Decimal(i["assessed"]) for i in items), Decimal(0)) - self.paid
            if assessed != self.reserve and self.act(
                "set_reserve", amount=assessed, reason="reserve set to the assessed loss less payments"
            ):
                self.reserve = assessed
            w.later(w.days(0, 4), self.respond)

    def respond(self) -> None:
        w = self.world
        if self.path == "disputed" and self.assessments == 1:
            if self.act("dispute_assessment", reason="the repair quotes are higher than the assessment"):
                w.later(w.days(3, 10), self.assess)
        elif self.act("agree_assessment"):
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
            self.act("close")

    def advance(self) -> None:
        """Art. 25: undetermined at 60 days, the determinable part is paid in advance."""
        w = self.world
        part = (self.claimed * Decimal("0.4")).quantize(Decimal(1))
        limit = CLAIMS_AUTHORITY_LIMITS["claims_handler"]  # an advance needs an approval's authority
        small = limit is not None and self.paid + part <= limit
        ctx = w.ctx("claims_handler", self.handler) if small else w.ctx("claims_manager")
        done = w.attempt(
            "pay_advance",
            claims.pay,
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
                claims.pay,
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
        if self.act("confirm_receipt") and self.act("close"):
            self.reserve = Decimal(0)  # released
            if w.chance(0.4):
                w.later(w.days(3, 15), demo_service.survey, w, self.cover.holder, str(self.id), 4)
            if self.path == "reopened" and self.claim().round == 1:
                w.later(w.days(20, 60), self.reopen)

    def reopen(self) -> None:
        if self.act("reopen", reason="further bills for the same loss were received"):
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
        if self.act("reject", reasons=why, decided_by=self.handler):
            w.paths["claim:rejected"] += 1
            late = self.path == "late-rejection-notice"
            w.later(w.days(5, 8) if late else w.days(0, 2), self.notice)

    def notice(self) -> None:
        w = self.world
        if self.act("send_rejection_notice"):
            w.later(w.days(0, 3), self.act, "close")
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
