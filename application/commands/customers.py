"""Customer commands, one typed function each: load → call → save, with the duplicate-identity rule
across aggregates.

A proposed plan (guide 4.3) is priced here, from the catalogue, for the customer as the write side knows
them on the proposal date; the aggregate checks and records the priced items.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.context import CommandContext
from domain.customer.aggregate import Customer
from domain.errors import DomainError, InvalidValue
from domain.identifiers import china_today
from domain.identity.aggregate import IdentityClaim
from domain.policy.underwriting_case import age_on
from domain.product.catalogue import Catalogue, quote
from domain.product.model import Product


class DuplicateCustomer(DomainError):
    """The ID number or credit code is already registered (HTTP 409 naming the existing customer)."""

    code = "customer-already-registered"


def _holder(app: InscribeApplication, identity_key: str) -> tuple[IdentityClaim | None, UUID | None]:
    """The identity's claim (HMAC id) and the customer holding it, also under a claim's legacy id."""
    claim_id = IdentityClaim.id_for(identity_key, app.identity_secret)
    claim = app.load(IdentityClaim, claim_id) if app.exists(claim_id) else None
    if claim is not None and claim.customer_id is not None:
        return claim, claim.customer_id
    legacy_id = IdentityClaim.legacy_id_for(identity_key)
    if claim is None and app.exists(legacy_id):  # registered before claims were HMACs
        legacy = app.load(IdentityClaim, legacy_id)
        if legacy.customer_id is not None:
            return None, legacy.customer_id
    return claim, None


def _register(app: InscribeApplication, ctx: CommandContext, customer: Customer) -> CommandResult:
    claim, existing = _holder(app, customer.identity_key)
    if existing is not None:
        raise DuplicateCustomer(
            f"this identity is already registered as customer {existing}", existing_customer_id=str(existing)
        )
    if claim is None:
        claim = IdentityClaim.claim(customer.identity_key, customer.id, app.identity_secret)
    else:  # released when an earlier holder's personal data was erased
        claim.reclaim(customer.id)
    try:
        return app.record(ctx, customer, claim)
    except DomainError as conflict:
        # Lost a race with another registration of the same identity?
        _, existing = _holder(app, customer.identity_key)
        if existing is not None and existing != customer.id:
            raise DuplicateCustomer(
                f"this identity is already registered as customer {existing}", existing_customer_id=str(existing)
            ) from conflict
        raise


def register_individual(
    app: InscribeApplication,
    ctx: CommandContext,
    *,
    name: str,
    id_number: str,
    occupation: str,
    occupation_class: int,
    family_status: str,
    annual_income: Decimal | int | str,
    dependants: int = 0,
    contacts: dict[str, Any] | None = None,
    customer_id: UUID | None = None,
) -> CommandResult:
    """Register an individual by resident ID (the birth date and gender come from it)."""

    def run() -> CommandResult:
        customer = Customer.register_individual(
            name=name,
            id_number=id_number,
            occupation=occupation,
            occupation_class=occupation_class,
            family_status=family_status,
            annual_income=annual_income,
            dependants=dependants,
            contacts=contacts,
            customer_id=customer_id,
        )
        return _register(app, ctx, customer)

    return app.once(ctx, run)


def register_enterprise(
    app: InscribeApplication,
    ctx: CommandContext,
    *,
    name: str,
    credit_code: str,
    industry: str,
    size: str,
    headcount: int,
    annual_revenue: Decimal | int | str,
    contact_person: str,
    contacts: dict[str, Any] | None = None,
    customer_id: UUID | None = None,
) -> CommandResult:
    """Register an enterprise by unified social credit code."""

    def run() -> CommandResult:
        customer = Customer.register_enterprise(
            name=name,
            credit_code=credit_code,
            industry=industry,
            size=size,
            headcount=headcount,
            annual_revenue=annual_revenue,
            contact_person=contact_person,
            contacts=contacts,
            customer_id=customer_id,
        )
        return _register(app, ctx, customer)

    return app.once(ctx, run)


# -- changes to a registered customer: load → call → save (If-Match and Idempotency-Key apply) ------


def _on(
    app: InscribeApplication, ctx: CommandContext, customer_id: UUID, action: Callable[[Customer], None]
) -> CommandResult:
    return app.execute(ctx, Customer, UUID(str(customer_id)), action)


def change_contacts(
    app: InscribeApplication, ctx: CommandContext, customer_id: UUID, *, contacts: dict[str, Any]
) -> CommandResult:
    """Replace the customer's contacts."""
    return _on(app, ctx, customer_id, lambda customer: customer.change_contacts(contacts))


def update_profile(
    app: InscribeApplication, ctx: CommandContext, customer_id: UUID, *, changes: dict[str, Any]
) -> CommandResult:
    """Change profile fields (occupation, income, family status, …)."""
    return _on(app, ctx, customer_id, lambda customer: customer.update_profile(changes))


def assign_segment(
    app: InscribeApplication, ctx: CommandContext, customer_id: UUID, *, segment: str, basis: str
) -> CommandResult:
    """Assign a segment (2.2 客户细分) with its basis."""
    return _on(app, ctx, customer_id, lambda customer: customer.assign_segment(segment, basis))


def change_lifecycle_stage(
    app: InscribeApplication, ctx: CommandContext, customer_id: UUID, *, stage: str, reason: str
) -> CommandResult:
    """Move the customer to another lifecycle stage, with a reason."""
    return _on(app, ctx, customer_id, lambda customer: customer.change_lifecycle_stage(stage, reason))


def record_interaction(
    app: InscribeApplication,
    ctx: CommandContext,
    customer_id: UUID,
    *,
    kind: str,
    summary: str,
    occurred_at: datetime,
    staff_id: str,
) -> CommandResult:
    """Record a care call, visit, marketing contact or service interaction."""
    return _on(
        app, ctx, customer_id, lambda customer: customer.record_interaction(kind, summary, occurred_at, staff_id)
    )


def give_consent(app: InscribeApplication, ctx: CommandContext, customer_id: UUID, *, purpose: str) -> CommandResult:
    """Record a consent the customer gave."""
    return _on(app, ctx, customer_id, lambda customer: customer.give_consent(purpose))


def withdraw_consent(
    app: InscribeApplication, ctx: CommandContext, customer_id: UUID, *, purpose: str
) -> CommandResult:
    """Record that the customer withdrew a consent."""
    return _on(app, ctx, customer_id, lambda customer: customer.withdraw_consent(purpose))


def analyse_needs(
    app: InscribeApplication,
    ctx: CommandContext,
    customer_id: UUID,
    *,
    concerns: list[str],
    potential_needs: list[str],
    budget: Decimal | int | str,
) -> CommandResult:
    """Record a needs analysis (4.1)."""
    return _on(app, ctx, customer_id, lambda customer: customer.analyse_needs(concerns, potential_needs, budget))


def assess_risks(
    app: InscribeApplication, ctx: CommandContext, customer_id: UUID, *, risks: list[dict[str, Any]]
) -> CommandResult:
    """Record a risk assessment (4.2): each risk scored likelihood × severity."""
    return _on(app, ctx, customer_id, lambda customer: customer.assess_risks(risks))


def record_satisfaction_survey(
    app: InscribeApplication,
    ctx: CommandContext,
    customer_id: UUID,
    *,
    attitude: int,
    speed: int,
    quality: int,
    claims_convenience: int,
    comment: str = "",
    related_id: str | None = None,
) -> CommandResult:
    """Record a satisfaction survey (8.3.1), scores 1–5."""
    return _on(
        app,
        ctx,
        customer_id,
        lambda customer: customer.record_satisfaction_survey(
            attitude, speed, quality, claims_convenience, comment, related_id
        ),
    )


# -- the proposed plan (guide 4.3) --------------------------------------------------------------

#: Quotation inputs that come from the customer, not from the plan item.
CUSTOMER_FIELDS = ("age", "gender", "occupation_class")


def propose_plan(
    app: InscribeApplication,
    ctx: CommandContext,
    customer_id: UUID,
    *,
    items: list[dict[str, Any]],
    rationale: str,
    catalogue: Catalogue | None = None,
) -> CommandResult:
    """Price each item ({product_code, product_version?, sum_insured, term_months, premium_mode, riders?})
    for the customer on today's date (China time), then record the plan on the customer."""
    products = catalogue or app.catalogue

    def price_and_propose(customer: Customer) -> None:
        if not isinstance(items, (list, tuple)):
            raise InvalidValue("items", "must be a list of products")
        today = china_today()
        priced = [price_item(products, customer, raw, f"items[{i}]", today) for i, raw in enumerate(items)]
        total = sum((item["annual_premium"] for item in priced), Decimal(0))
        customer.propose_plan(priced, total, rationale)

    return app.execute(ctx, Customer, UUID(str(customer_id)), price_and_propose)


def price_item(catalogue: Catalogue, customer: Customer, raw: Any, field: str, on: date) -> dict[str, Any]:
    """One plan item priced for the customer: an individual's age on `on`, gender and occupation class;
    an enterprise has no age or gender and class 1. Each refusal names the item's field."""
    if not isinstance(raw, dict):
        raise InvalidValue(field, "must be an object")
    cover: Any = raw  # the caller's values: quote() checks them
    for key in cover:
        if key not in ("product_code", "product_version", "sum_insured", "term_months", "premium_mode", "riders"):
            raise InvalidValue(f"{field}.{key}", "unknown field")
    product = _product(catalogue, cover.get("product_code"), cover.get("product_version"), field, on)
    raw_riders = cover.get("riders") or []
    if not isinstance(raw_riders, (list, tuple)):
        raise InvalidValue(f"{field}.riders", "must be a list of {product_code, sum_insured}")
    riders: list[tuple[Product, Any]] = []
    for j, rider in enumerate(raw_riders):
        if not isinstance(rider, dict) or set(rider) - {"product_code", "product_version", "sum_insured"}:
            raise InvalidValue(f"{field}.riders[{j}]", "must be an object with product_code and sum_insured")
        rider_product = _product(
            catalogue, rider.get("product_code"), rider.get("product_version"), f"{field}.riders[{j}]", on
        )
        riders.append((rider_product, rider.get("sum_insured")))
    individual = customer.kind == "individual"
    if not individual and product.is_personal:
        raise InvalidValue(f"{field}.product_code", f"{product.code} insures a person, not an enterprise")
    born = customer.birth_date
    try:
        priced = quote(
            product,
            age=age_on(born, on) if individual and born is not None else None,
            gender=customer.gender if individual else None,
            occupation_class=(customer.occupation_class or 1) if individual else 1,
            sum_insured=cover.get("sum_insured"),
            term_months=cover.get("term_months"),
            premium_mode=cover.get("premium_mode"),
            riders=riders,
        )
    except InvalidValue as refusal:
        if refusal.field in CUSTOMER_FIELDS:
            raise InvalidValue(
                f"{field}.product_code",
                f"not open to this customer: {refusal.field} {refusal.message}",
                code=refusal.code,
            ) from None
        raise InvalidValue(f"{field}.{refusal.field}", refusal.message, code=refusal.code) from None
    return {
        "product_code": priced.product_code,
        "product_version": priced.product_version,
        "sum_insured": priced.sum_insured,
        "term_months": priced.term_months,
        "premium_mode": priced.premium_mode,
        "annual_premium": priced.annual_premium,
        "riders": [
            {
                "product_code": r.code,
                "product_version": r.version,
                "sum_insured": r.sum_insured,
                "annual_premium": r.annual_premium,
            }
            for r in priced.breakdown.riders
        ],
    }


def _product(catalogue: Catalogue, code: Any, version: Any, field: str, on: date) -> Product:
    """The version on sale on `on` (409 product-not-on-sale otherwise)."""
    try:
        return catalogue.on_sale(code, version, on)
    except InvalidValue as refusal:
        raise InvalidValue(f"{field}.{refusal.field}", refusal.message, code=refusal.code) from None
