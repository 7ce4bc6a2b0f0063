"""Demo policies through their life (SPEC §5): application with automatic underwriting, decisions on
referred cases within authority (some after a medical examination or a survey), first premium and issue, receipt and cooling-off, installments paid on
time, late (after a demand) or not at all (lapse, then reinstatement, surrender or termination),
renewal of short-term cover, surrender. Each step is a command of application.commands.policies or policy_servicing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.commands import bundles as bundles
from application.commands import examinations as examinations
from application.commands import policies as policies
from application.commands import policy_servicing as servicing
from application.context import CommandContext
from application.demo import claims as demo_claims
from application.demo.people import Cover, Party
from application.demo.reinsurance import place_beyond_capacity
from application.demo.world import World
from domain.authority import AUTHORITY_LIMITS
from domain.bundle.aggregate import Bundle
from domain.policy.aggregate import Policy
from domain.policy.rules import RISK_INCREASED

P = ParamSpec("P")
STATUTORY = ("life", "health")  # Art. 36 grace: demands shorten it
#: The lines whose referred cases are sometimes examined (domain.policy.examinations), and how.
EXAMINED_LINES = {"life": "medical", "health": "medical", "accident": "medical", "property": "property_survey"}


def load(world: World, cover: Cover) -> Policy:
    return world.app.view(Policy, cover.id)


def _ref(world: World, kind: str) -> str:
    return f"{kind}-{world.day:%Y%m%d}-{world.rng.randrange(10**6):06d}"


def _act(
    world: World,
    cover: Cover,
    command: Callable[Concatenate[InscribeApplication, CommandContext, UUID, date, P], CommandResult],
    role: str,
    *args: P.args,
    **arguments: P.kwargs,
) -> bool:
    """Run a policy command dated today by someone of `role`; False if refused (tallied under its name)."""
    ctx = world.ctx(role)
    return world.attempt(command.__name__, command, world.app, ctx, cover.id, world.day, *args, **arguments) is not None


# -- application and underwriting --------------------------------------------------------------------


def apply(world: World, holder: Party, insured: Party, fields: dict[str, Any]) -> None:
    ctx = world.ctx("agent", fields["agent_id"])
    done = world.attempt("apply_for_policy", policies.apply_for_policy, world.app, ctx, applied_on=world.day, **fields)
    if done is not None:
        _applied(world, holder, insured, UUID(done.id), fields["product_code"])


def apply_bundle(world: World, holder: Party, applications: list[tuple[Party, dict[str, Any]]]) -> None:
    """组合投保 (3.3): the holder's applications for themself made as one bundle, by the first one's agent."""
    first = applications[0][1]
    own = ("applicant_id", "agent_id", "channel")
    items = [{k: v for k, v in fields.items() if k not in own} for _, fields in applications]
    ctx = world.ctx("agent", first["agent_id"])
    done = world.attempt(
        "propose_bundle",
        bundles.propose,
        world.app,
        ctx,
        applicant_id=first["applicant_id"],
        items=items,
        channel=first["channel"],
        agent_id=first["agent_id"],
        applied_on=world.day,
    )
    if done is None:
        return
    world.paths["sale:bundle"] += 1
    bundle = world.app.view(Bundle, UUID(done.id))
    for (insured, _), item in zip(applications, bundle.items, strict=True):
        _applied(world, holder, insured, UUID(item["policy_id"]), item["product_code"])


def _applied(world: World, holder: Party, insured: Party, policy_id: UUID, code: str) -> None:
    product = world.app.catalogue.get(code)
    cover = Cover(policy_id, product.code, product.line, holder, insured)
    holder.covers.append(cover)
    policy = load(world, cover)
    world.paths[f"application:{policy.status}"] += 1
    if policy.status == "accepted":
        if world.chance(0.97):
            world.later(world.days(0, 5), pay_first, world, cover)
        else:
            world.paths["policy:not-taken-up"] += 1
    elif policy.status == "referred":
        paying = bool(policy.quoted_installment) and world.chance(0.25)  # the first premium with the application
        if paying and _act(
            world,
            cover,
            servicing.pay_premium,
            "agent",
            amount=policy.quoted_installment,
            reference=_ref(world, "BANK"),
        ):
            world.paths["premium:paid-with-application"] += 1
        if cover.line in EXAMINED_LINES and world.chance(0.35):
            world.later(world.days(1, 3), examine, world, cover)
        else:
            world.later(world.days(1, 8), decide, world, cover)


def examine(world: World, cover: Cover) -> None:
    """审核检验 (6.1.2 (2)): a medical examination or a property survey, reported 3 to 20 days later (now
    and then after its due date)."""
    if load(world, cover).status != "referred":
        return
    kind = EXAMINED_LINES[cover.line]
    reason = "medical examination of the disclosed condition" if kind == "medical" else "survey of the premises"
    if _act(world, cover, examinations.order_examination, "underwriter", kind, reason):
        world.paths[f"examination:{kind}"] += 1
        world.later(world.days(3, 20), report_examination, world, cover)


def report_examination(world: World, cover: Cover) -> None:
    policy = load(world, cover)
    waiting = policy.outstanding_examinations()
    if not waiting:
        return
    item = waiting[0]
    result = world.pick("examination-result", ("standard", "conditions", "decline"), (50, 40, 10))
    found: dict[str, Any] = {"loading_pct": 0, "exclusions": []}
    if result == "conditions":
        found = {"loading_pct": world.pick("examination-loading", (25, 50, 75), (50, 35, 15)), "exclusions": []}
        if world.chance(0.4):
            found["exclusions"] = ["the condition found at examination"]
    summary = {
        "standard": "no finding beyond the disclosure",
        "conditions": "a raised risk, insurable with conditions",
        "decline": "a risk outside the underwriting guidelines",
    }[result]
    examiner = "Ruijin Hospital health check centre" if item["kind"] == "medical" else "Huatai loss survey team"
    done = world.attempt(
        "report_examination",
        examinations.report_examination,
        world.app,
        world.ctx("underwriter"),
        cover.id,
        world.day,
        item["no"],
        examiner=examiner,
        examined_on=max(item["ordered_on"], world.day - timedelta(days=world.days(0, 2))),
        result=result,
        summary=summary,
        **found,
    )
    if done is not None:
        world.paths[f"examination:{result}"] += 1
        world.paths["examination:late" if world.day > item["due_on"] else "examination:on-time"] += 1
        world.later(world.days(0, 3), decide, world, cover)


def decide(world: World, cover: Cover) -> None:
    """核保决定 (6.3) by an underwriter with authority for the whole sum insured."""
    policy = load(world, cover)
    if policy.status != "referred":
        return
    total = policy.sum_insured + sum((Decimal(str(r["sum_insured"])) for r in policy.riders), Decimal(0))
    limit = AUTHORITY_LIMITS["underwriter"]
    role = "underwriter" if limit is not None and total <= limit else "senior_underwriter"
    product = world.app.catalogue.get(policy.product_code, policy.product_version)
    loading = product.health_loading_for({q.id: policy.disclosures[q.id] for q in product.disclosure_questions})
    reasons = policy.referral_reasons
    weights = (
        (25, 20, 45, 10)
        if {"earlier-decline", "earlier-rescission"} & set(reasons)
        else (25, 55, 10, 10)
        if loading
        else (45, 20, 25, 10)
    )
    decision = world.pick("underwriting-decision", ("accept", "offer_with_conditions", "decline", "postpone"), weights)
    examined = [e for e in policy.examinations if e["result"] is not None]
    called = max((e["loading_pct"] for e in examined), default=Decimal(0))
    excluded = sorted({x for e in examined for x in e["exclusions"]})
    if any(e["result"] == "decline" for e in examined):
        decision = "decline"
    elif decision == "accept" and (called or excluded):
        decision = "offer_with_conditions"  # the examination's conditions are carried
    arguments: dict[str, Any] = {"decided_on": world.day}
    if decision == "offer_with_conditions" and (called or excluded):
        arguments.update(loading_pct=max(loading, called), exclusions=excluded, reason="the examination's conditions")
    elif decision == "offer_with_conditions" and loading:
        arguments.update(loading_pct=loading, reason="health loading for the disclosed condition")
    elif decision == "offer_with_conditions":
        arguments.update(exclusions=["conditions disclosed at application"], reason="exclusion of the disclosed risk")
    elif decision == "decline":
        arguments.update(
            reason="the disclosed risk is outside our underwriting guidelines",
            suggested_products=["personal_accident"] if product.line != "accident" else [],
        )
    elif decision == "postpone":
        arguments.update(reason="postponed: apply again after six months of treatment records")
    if decision in ("accept", "offer_with_conditions"):
        place_beyond_capacity(world, cover.id, policy)
    done = world.attempt("decide", policies.decide, world.app, world.ctx(role), cover.id, decision, **arguments)
    if done is None:
        return
    world.paths[f"underwriting:{decision}"] += 1
    _after_decision(world, cover)


def _after_decision(world: World, cover: Cover) -> None:
    status = load(world, cover).status
    if status == "in_force":  # accepted with the first premium already held
        after_issue(world, cover)
    elif status == "accepted":
        world.later(world.days(0, 5), pay_first, world, cover)
    elif status == "offered_with_conditions":
        world.later(world.days(1, 10), answer_conditions, world, cover)


def answer_conditions(world: World, cover: Cover) -> None:
    if load(world, cover).status != "offered_with_conditions":
        return
    if world.pick("conditions", (True, False), (80, 20)):
        if _act(world, cover, policies.accept_conditions, "agent"):
            world.paths["conditions:accepted"] += 1
            _after_decision(world, cover)
    elif _act(world, cover, policies.refuse_conditions, "agent"):
        world.paths["conditions:refused"] += 1


def pay_first(world: World, cover: Cover) -> None:
    policy = load(world, cover)
    if policy.status == "accepted" and _act(
        world, cover, servicing.pay_premium, "agent", amount=policy.installment, reference=_ref(world, "BANK")
    ):
        after_issue(world, cover)


# -- the contract --------------------------------------------------------------------------------------


def after_issue(world: World, cover: Cover) -> None:
    """Issued: plan the receipt, installments, claims, renewal and perhaps a surrender."""
    policy = load(world, cover)
    if policy.status != "in_force" or policy.start_date is None or policy.end_date is None:
        return
    world.paths["policy:issued"] += 1
    installments = len(policy.schedule)
    if installments > 1:
        payers, weights = ("lapser", "late", "punctual"), (8, 12, 80)
        monthly = policy.premium_mode == "monthly"  # the first monthly payers show each way of paying
        cover.payer = world.pick("payer", payers, weights) if monthly else world.rng.choices(payers, weights)[0]
        if cover.payer == "lapser":  # the book's first lapser stops at once, so a small book shows a lapse
            first = not world.paths["payer:lapser"]
            world.paths["payer:lapser"] += 1
            cover.stop_at = 2 if first else world.days(2, min(installments, 12 if monthly else 3))
    if policy.term_months > 12:
        world.later(world.days(1, 10), sign_receipt, world, cover)
        if world.chance(0.08):
            world.at(policy.start_date + timedelta(days=world.days(90, 1000)), surrender, world, cover)
    elif world.chance(0.015):
        world.at(policy.start_date + timedelta(days=world.days(30, 300)), surrender, world, cover)
    _next_installment(world, cover, policy)
    demo_claims.plan_year(
        world, cover, policy.start_date, policy.waiting_period_end or policy.start_date, policy.end_date, policy
    )
    if policy.renewable:
        _plan_renewal(world, cover, policy)


def sign_receipt(world: World, cover: Cover) -> None:
    signed = load(world, cover).status == "in_force" and _act(world, cover, servicing.sign_receipt, "agent")
    if signed and world.chance(0.05):
        world.later(world.days(2, 12), cancel_in_cooling_off, world, cover)


def cancel_in_cooling_off(world: World, cover: Cover) -> None:
    if load(world, cover).status == "in_force" and _act(world, cover, servicing.cancel_in_cooling_off, "agent"):
        world.paths["policy:cancelled-in-cooling-off"] += 1


def surrender(world: World, cover: Cover) -> None:
    if load(world, cover).status in ("in_force", "lapsed") and _act(world, cover, servicing.surrender, "agent"):
        world.paths["policy:surrendered"] += 1


# -- premiums, lapse, reinstatement (Art. 36, 37) ------------------------------------------------------------


def _next_installment(world: World, cover: Cover, policy: Policy) -> None:
    item = next((i for i in policy.schedule if i["paid_on"] is None), None)
    if item is None:
        return
    due: date = item["due_date"]
    statutory = cover.line in STATUTORY
    if cover.payer == "lapser" and item["no"] >= cover.stop_at:
        if statutory:
            world.at(due + timedelta(days=15), demand, world, cover, item["no"])
        world.at(due + timedelta(days=75), after_lapse, world, cover)
        return
    if cover.payer == "late" and world.chance(0.5):
        delay = world.days(16, 40) if statutory else world.days(5, 25)
        if statutory:
            world.at(due + timedelta(days=15), demand, world, cover, item["no"])
    else:
        delay = world.days(-10, 0) if world.chance(0.9) else world.days(1, 7)
    world.at(due + timedelta(days=delay), pay_installment, world, cover)


def pay_installment(world: World, cover: Cover) -> None:
    policy = load(world, cover)
    item = next((i for i in policy.schedule if i["paid_on"] is None), None)
    if policy.status != "in_force" or item is None:
        return
    if _act(world, cover, servicing.pay_premium, "agent", amount=item["amount"], reference=_ref(world, "BANK")):
        world.paths["premium:paid-late" if world.day > item["due_date"] else "premium:paid"] += 1
        item["paid_on"] = world.day  # as the write side now has it: the next one is due next
    _next_installment(world, cover, policy)


def demand(world: World, cover: Cover, installment_no: int) -> None:
    """催告: the insurer demands an overdue installment (the grace then ends 30 days later)."""
    policy = load(world, cover)
    item = next((i for i in policy.schedule if i["no"] == installment_no), None)
    overdue = (
        policy.status == "in_force" and item is not None and item["paid_on"] is None and world.day > item["due_date"]
    )
    if overdue and _act(world, cover, servicing.demand_payment, "agent", installment_no=installment_no):
        world.paths["premium:demanded"] += 1


def after_lapse(world: World, cover: Cover) -> None:
    if load(world, cover).status != "lapsed":
        return
    world.paths["policy:lapsed"] += 1
    choice = world.pick("after-lapse", ("reinstate", "stay-lapsed", "surrender"), (45, 45, 10))
    if choice == "reinstate":
        world.later(world.days(10, 120), request_reinstatement, world, cover)
    elif choice == "surrender":
        world.later(world.days(20, 200), surrender, world, cover)


def request_reinstatement(world: World, cover: Cover) -> None:
    if load(world, cover).status != "lapsed" or not _act(world, cover, servicing.request_reinstatement, "agent"):
        return
    answer = world.pick("reinstatement", ("agree", "silence", "refuse"), (80, 12, 8))
    if answer == "silence":  # no answer in 30 days counts as consent (SPC Interpretation III Art. 8)
        world.later(world.days(32, 40), pay_arrears, world, cover)
    else:
        world.later(world.days(2, 20), decide_reinstatement, world, cover, answer == "agree")


def decide_reinstatement(world: World, cover: Cover, agree: bool) -> None:
    if _act(
        world, cover, servicing.decide_reinstatement, "underwriter", agree=agree, reason="" if agree else RISK_INCREASED
    ):
        world.paths[f"reinstatement:{'agreed' if agree else 'refused'}"] += 1
        if agree:
            world.later(world.days(1, 15), pay_arrears, world, cover)


def pay_arrears(world: World, cover: Cover) -> None:
    policy = load(world, cover)
    if policy.status != "lapsed" or not policy.reinstatement or policy.reinstatement["state"] != "agreed":
        return
    arrears = sum(
        (i["amount"] for i in policy.schedule if i["paid_on"] is None and i["due_date"] <= world.day), Decimal(0)
    )
    if _act(world, cover, servicing.pay_arrears, "agent", amount=arrears, reference=_ref(world, "ARREARS")):
        world.paths["policy:reinstated"] += 1
        cover.payer = "punctual"
        _next_installment(world, cover, load(world, cover))


# -- renewal (8.1.1 (4)) ----------------------------------------------------------------------------------


def _plan_renewal(world: World, cover: Cover, policy: Policy) -> None:
    assert policy.end_date is not None
    offer_days = int(policy.product_terms.get("renewal_offer_days") or 30)
    world.at(policy.end_date - timedelta(days=world.days(2, max(3, offer_days - 5))), renew, world, cover)


def renew(world: World, cover: Cover) -> None:
    policy = load(world, cover)
    if policy.status != "in_force":
        return
    keen = {"punctual": 0.8, "late": 0.6, "lapser": 0.3}[cover.payer]
    if not world.pick("renewal", (True, False), (keen, 1 - keen)):
        world.paths["renewal:not-renewed"] += 1  # it expires at the end of its term
        return
    if policy.renewal_offer is None:
        world.attempt("offer_renewal", servicing.offer_renewal, world.app, world.ctx("agent"), cover.id, world.day)
        policy = load(world, cover)
    offer = policy.renewal_offer
    if offer is None or not _act(
        world, cover, servicing.renew, "agent", amount=offer["installment"], reference=_ref(world, "RENEWAL")
    ):
        return
    world.paths["renewal:renewed"] += 1
    policy = load(world, cover)
    _next_installment(world, cover, policy)
    demo_claims.plan_year(world, cover, offer["start_date"], offer["start_date"], offer["end_date"], policy)
    _plan_renewal(world, cover, policy)
