"""Demo customers (SPEC §4; guide ch. 2, 4, 8): registration, consents, segment, a first visit, for
some a needs analysis, risk assessment and proposed plan, then their applications (and their
children's); every year after, care calls, marketing where consented, changed contacts, complaints,
service requests and surveys at a plausible rate.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.commands import customers as customers
from application.context import CommandContext
from application.demo import policies as demo_policies
from application.demo import service as demo_service
from application.demo.people import Party, People, segment_of
from application.demo.sales import terms, wishes
from application.demo.world import World
from domain import clock

P = ParamSpec("P")

RISKS = {
    "individual": [
        ("illness or hospital costs", "personal"),
        ("loss of income", "personal"),
        ("damage to the home", "property"),
    ],
    "enterprise": [
        ("fire at the premises", "property"),
        ("injury to visitors", "liability"),
        ("buyers not paying", "credit"),
    ],
}


def _act(
    world: World,
    party: Party,
    command: Callable[Concatenate[InscribeApplication, CommandContext, UUID, P], CommandResult],
    *args: P.args,
    **data: P.kwargs,
) -> bool:
    """Run a customer command by an agent; False if refused (tallied under the command's name)."""
    assert party.id is not None
    done = world.attempt(command.__name__, command, world.app, world.ctx("agent"), party.id, *args, **data)
    return done is not None


def register(world: World, party: Party) -> bool:
    if party.kind == "individual":
        done = world.attempt("register", customers.register_individual, world.app, world.ctx("agent"), **party.fields)
    else:
        done = world.attempt("register", customers.register_enterprise, world.app, world.ctx("agent"), **party.fields)
    if done is None:
        return False
    party.id = UUID(done.id)
    world.parties.append(party)
    world.paths[f"customer:{party.kind}"] += 1
    return True


def onboard(world: World, people: People, kind: str) -> None:
    """A new customer: registered, advised, and applying within days."""
    party = people.person(world.day) if kind == "individual" else people.firm()
    if not register(world, party):
        return
    for purpose, p in (("data_processing", 1.0), ("marketing", 0.55), ("health_data", 0.7)):
        wanted = world.chance(p) and (purpose != "health_data" or kind == "individual")
        if wanted and _act(world, party, customers.give_consent, purpose=purpose):
            party.consents.add(purpose)
    segment, basis = segment_of(party, world.day)
    _act(world, party, customers.assign_segment, segment=segment, basis=basis)
    _act(
        world,
        party,
        customers.record_interaction,
        kind="visit",
        summary="first meeting: needs and existing cover",
        occurred_at=clock.now(),
        staff_id=world.rng.choice(("agent-lihua", "agent-wangfang", "agent-zhangwei")),
    )
    codes = wishes(world, party, world.day)
    applications = [(party, fields) for code in codes if (fields := terms(world, code, party, party, world.day))]
    if (
        kind == "individual"
        and party.fields["dependants"]
        and 25 <= party.age_on(world.day) <= 50
        and world.chance(0.15)
    ):
        child = people.person(world.day, age=(1, 15))
        child.fields["dependants"] = 0
        if register(world, child):
            party.dependants.append(child)
            code = world.rng.choice(("medical", "critical_illness"))
            fields = terms(world, code, party, child, world.day)
            if fields:
                applications.append((child, fields))
    if world.chance(0.35):
        _advise(world, party, applications)
    delays = [world.days(0, 10) for _ in applications]
    if len(applications) >= 2 and all(insured is party for insured, _ in applications):
        # 3.3 保险产品组合: a customer's own covers proposed together as one bundle
        world.later(min(delays), demo_policies.apply_bundle, world, party, applications)
    else:
        for delay, (insured, fields) in zip(delays, applications, strict=True):
            world.later(delay, demo_policies.apply, world, party, insured, fields)
    world.later(365, yearly, world, party)
    _plan_year(world, party)


def _advise(world: World, party: Party, applications: list[tuple[Party, dict[str, Any]]]) -> None:
    """Needs analysis (4.1), risk assessment (4.2) and a proposed plan (4.3) before applying."""
    budget = (party.income * Decimal("0.08")).quantize(Decimal(100))
    risks = RISKS[party.kind]
    _act(
        world,
        party,
        customers.analyse_needs,
        concerns=[r for r, _ in risks[:2]],
        potential_needs=["protection", "savings"] if party.kind == "individual" else ["business continuity"],
        budget=str(budget),
    )
    _act(
        world,
        party,
        customers.assess_risks,
        risks=[
            {"description": r, "category": c, "likelihood": world.days(1, 5), "severity": world.days(2, 5)}
            for r, c in risks
        ],
    )
    items = [
        {key: fields[key] for key in ("product_code", "sum_insured", "term_months", "premium_mode")}
        for insured, fields in applications
        if insured is party
    ]
    if items and _act(
        world, party, customers.propose_plan, items=items, rationale="covers the main risks within the budget"
    ):
        world.paths["customer:plan-proposed"] += 1


def _plan_year(world: World, party: Party) -> None:
    """Complaints, service requests and a satisfaction survey, each at a plausible yearly rate, on random days."""
    rate = world.activity
    if world.chance(0.02 * rate):
        category = world.rng.choices(
            ("sales", "underwriting", "premium", "claims", "service", "other"), weights=(25, 10, 20, 15, 20, 10)
        )[0]
        cover = world.rng.choice(party.covers) if party.covers else None
        world.later(world.days(20, 360), _complain, world, party, category, cover)
    if world.chance(0.12 * rate):
        world.later(world.days(10, 360), _request, world, party)
    if world.chance(min(0.95, 0.3 * rate)):
        world.later(world.days(30, 360), _survey, world, party, world.rng.choice((3, 4, 4, 5)))


def _survey(world: World, party: Party, mood: int) -> None:
    """8.3.1 (3): a customer who bought is asked about one of their policies (others about the service)."""
    about = str(world.rng.choice(party.covers).id) if party.covers else None
    demo_service.survey(world, party, about, mood)


def _complain(world: World, party: Party, category: str, cover: Any) -> None:
    claim = cover.claims[-1] if cover is not None and cover.claims and category == "claims" else None
    demo_service.complaint(world, party, category, None if cover is None else cover.id, claim)


def _request(world: World, party: Party) -> None:
    personal = [c for c in party.covers if c.line in ("life", "health", "accident")]
    kind = world.rng.choices(
        ("consultation", "contract_change", "renewal_help", "claim_help", "other"),
        weights=(35, 20 if personal else 0, 10 if party.covers else 0, 15, 20),
    )[0]
    cover = (
        world.rng.choice(personal if kind == "contract_change" else party.covers)
        if kind in ("contract_change", "renewal_help")
        else None
    )
    demo_service.service_request(world, party, kind, None if cover is None else cover.id)


def yearly(world: World, party: Party) -> None:
    """An anniversary of the customer: a care call, marketing if consented, now and then new contacts."""
    staff = world.rng.choice(("agent-liuyang", "agent-chenjing", "agent-zhaolei"))
    if party.covers and world.chance(0.6):
        _act(
            world,
            party,
            customers.record_interaction,
            kind="care_call",
            summary="annual review of cover",
            occurred_at=clock.now(),
            staff_id=staff,
        )
    if "marketing" in party.consents and world.chance(0.3):
        _act(
            world,
            party,
            customers.record_interaction,
            kind="marketing",
            summary="new product information",
            occurred_at=clock.now(),
            staff_id=staff,
        )
    if world.chance(0.06):
        phone = f"139{world.rng.randrange(10**8):08d}"
        if _act(world, party, customers.change_contacts, contacts={"phone": phone}):
            world.paths["customer:contacts-changed"] += 1
    _plan_year(world, party)
    world.at(world.day + timedelta(days=365), yearly, world, party)
