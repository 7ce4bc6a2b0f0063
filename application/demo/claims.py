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

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from application.commands import claims as claims
from application.demo.claim_case import Case
from application.demo.claim_profiles import PATHS, PROFILES, WEIGHTS
from application.demo.people import Cover
from application.demo.world import World
from domain.policy.aggregate import Policy
from domain.policy.rules import add_years


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
