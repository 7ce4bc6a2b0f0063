"""What demo customers apply for (guide 4.3, 5.2 (1)): products by line and age, sums insured a
customer's income, property value or revenue justifies, premium modes, riders, beneficiaries, and
the answers to the disclosure questions (a few adverse, which refer the case to an underwriter).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from application.demo.people import Party
from application.demo.world import STAFF, World
from domain.product.model import Product

K = 1000
M = 1_000_000


def _rounded(amount: Decimal | float | int, step: int) -> Decimal:
    return Decimal(int(Decimal(str(amount)) // step) * step)


def _clamp(amount: Decimal, low: int, high: int) -> Decimal:
    return min(max(amount, Decimal(low)), Decimal(high))


def answers(world: World, products: list[Product], adverse_share: float) -> dict[str, bool]:
    """Every question answered; now and then one adverse answer (the first application has one)."""
    questions = [q for p in products for q in p.disclosure_questions]
    given = {q.id: not q.adverse for q in questions}
    if world.pick("adverse-disclosure", (True, False), (adverse_share, 1 - adverse_share)):
        adverse = [q for q in questions if q.adverse]
        chosen = world.rng.choice(adverse)
        given[chosen.id] = True
    return given


def _mode(world: World, product: Product, weights: dict[str, float]) -> str:
    modes = [m for m in weights if m in product.premium_modes]
    return world.rng.choices(modes, weights=[weights[m] for m in modes])[0]


def _beneficiaries(world: World, holder: Party, insured: Party) -> list[dict[str, Any]]:
    if holder is not insured:  # a parent insuring a child: the parent is the beneficiary
        return [{"customer_id": str(holder.id), "name": holder.name, "share": "100"}]
    if insured.fields.get("family_status") == "married" and world.chance(0.3):
        return [{"name": "配偶", "share": "50"}, {"name": "子女", "share": "50"}]
    return [{"name": "配偶" if insured.fields.get("family_status") == "married" else "法定继承人", "share": "100"}]


def terms(world: World, code: str, holder: Party, insured: Party, on: date) -> dict[str, Any] | None:
    """The application's fields (without the date) for `code`, or None if the product does not fit."""
    rng, product = world.rng, world.app.catalogue.get(code)
    person = insured.kind == "individual"
    age = insured.age_on(on) if person else 0
    earner = holder if holder is not insured else insured
    relationship = "child" if holder is not insured else "self"
    fields: dict[str, Any] = {
        "applicant_id": holder.id,
        "insured_id": insured.id,
        "product_code": code,
        "riders": [],
        "agent_id": rng.choice(STAFF["agent"]),
        "channel": rng.choices(("agent", "online", "bancassurance", "telesales"), weights=(60, 20, 12, 8))[0],
    }
    riders: list[Product] = []
    if code == "term_life":
        years = [t for t in (120, 240, 360) if age + t // 12 <= 70]
        if not years or not 18 <= age <= 60:
            return None
        multiple = rng.choice((5, 8, 10, 12, 15)) if not world.chance(0.04) else 24  # now and then too much
        si = _clamp(_rounded(earner.income * multiple, 100 * K), 100 * K, 5 * M)
        fields.update(
            term_months=rng.choice(years),
            sum_insured=si,
            premium_mode=_mode(world, product, {"annual": 60, "monthly": 30, "single": 10}),
        )
        # the book's first term life for someone of 55 or under takes the rider (a small book shows a rider claim)
        if age <= 55 and (not world.paths["sale:term-life-with-rider"] or world.chance(0.25)):
            world.paths["sale:term-life-with-rider"] += 1
            rider = world.app.catalogue.get("accidental_death_rider")
            riders.append(rider)
            fields["riders"] = [
                {"product_code": rider.code, "sum_insured": str(_clamp(_rounded(si / 2, 50 * K), 50 * K, 500 * K))}
            ]
    elif code == "critical_illness":
        years = [t for t in (240, 360) if age + t // 12 <= 85]
        if not years or age > 55:
            return None
        si = _clamp(
            _rounded(min(earner.income * 8, Decimal(rng.choice((100, 200, 300, 500)) * K)), 50 * K), 50 * K, 1 * M
        )
        fields.update(
            term_months=rng.choice(years),
            sum_insured=si,
            premium_mode=_mode(world, product, {"annual": 60, "monthly": 35, "single": 5}),
        )
    elif code == "medical":
        if age > 65:
            return None
        fields.update(
            term_months=12,
            sum_insured=Decimal(rng.choice((2, 3, 4, 6)) * M),
            premium_mode=_mode(world, product, {"annual": 70, "monthly": 30}),
        )
    elif code == "personal_accident":
        if not 18 <= age <= 65:
            return None
        fits = [s for s in (200 * K, 300 * K, 500 * K, 1 * M) if s <= earner.income * 15] or [100 * K]
        fields.update(term_months=12, sum_insured=Decimal(rng.choice(fits)), premium_mode="annual")
    elif code in ("home_property", "enterprise_property"):
        if code == "home_property":
            value = Decimal(rng.randint(60, 500) * 10 * K)
            si = _clamp(_rounded(value * Decimal(rng.choice(("0.6", "0.8", "1.0"))), 10 * K), 50 * K, 3 * M)
        else:
            value = _clamp(_rounded(insured.income * Decimal(rng.uniform(0.3, 1.2)), 100 * K), 1 * M, 400 * M)
            si = _rounded(value * Decimal("0.8"), 100 * K)
        relationship = "owner" if person else "enterprise"
        fields.update(
            term_months=12,
            sum_insured=si,
            declared_property_value=str(value),
            premium_mode=_mode(world, product, {"annual": 80, "monthly": 20}),
        )
    elif code == "public_liability":
        fits = [s for s in (500 * K, 1 * M, 2 * M, 5 * M, 10 * M) if s <= insured.income / 2] or [200 * K]
        relationship = "enterprise"
        fields.update(term_months=12, sum_insured=Decimal(rng.choice(fits)), premium_mode="annual")
    elif code == "trade_credit":
        si = min(_rounded(insured.income * Decimal(rng.choice(("0.1", "0.2", "0.3"))), 100 * K), Decimal(200 * M))
        if si < 1 * M:
            return None
        relationship = "enterprise"
        fields.update(term_months=12, sum_insured=si, premium_mode=_mode(world, product, {"annual": 60, "monthly": 40}))
    else:
        return None
    fields["sum_insured"] = str(fields["sum_insured"])
    fields["relationship"] = relationship
    fields["beneficiaries"] = _beneficiaries(world, holder, insured) if product.is_personal else []
    fields["disclosures"] = answers(world, [product, *riders], 0.12 if person else 0.08)
    return fields


def wishes(world: World, party: Party, on: date) -> list[str]:
    """The products a new customer applies for (one to three)."""
    chance = world.chance
    if party.kind == "enterprise":
        wanted = [
            code
            for code, p in (("enterprise_property", 0.7), ("public_liability", 0.5), ("trade_credit", 0.3))
            if chance(p)
        ]
        return wanted or ["enterprise_property"]
    age = party.age_on(on)
    wanted = [
        code
        for code, p, low, high in (
            ("medical", 0.45, 0, 65),
            ("term_life", 0.3, 18, 50),
            ("critical_illness", 0.28, 0, 50),
            ("personal_accident", 0.22, 18, 65),
            ("home_property", 0.18, 0, 200),
        )
        if low <= age <= high and chance(p)
    ]
    return wanted[:3] or ["medical" if age <= 65 else "home_property"]
