"""Customer commands: load → call → save, with the duplicate-identity rule across aggregates.

A proposed plan (guide 4.3) is priced here, from the catalogue, for the customer as the write side knows
them on the proposal date; the aggregate checks and records the priced items.
"""

from __future__ import annotations

from datetime import date
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
from domain.product.catalogue import Catalogue, default_catalogue, quote
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


def register_individual(app: InscribeApplication, ctx: CommandContext, **data: Any) -> CommandResult:
    return app.once(ctx, lambda: _register(app, ctx, Customer.register_individual(**data)))


def register_enterprise(app: InscribeApplication, ctx: CommandContext, **data: Any) -> CommandResult:
    return app.once(ctx, lambda: _register(app, ctx, Customer.register_enterprise(**data)))


# Each action: the Customer method it calls. The interface passes the request's fields as kwargs.
ACTIONS = {
    "contacts": "change_contacts",
    "profile": "update_profile",
    "segment": "assign_segment",
    "lifecycle-stage": "change_lifecycle_stage",
    "interactions": "record_interaction",
    "consents": "give_consent",
    "consent-withdrawals": "withdraw_consent",
    "needs-analyses": "analyse_needs",
    "risk-assessments": "assess_risks",
    "satisfaction-surveys": "record_satisfaction_survey",
    "plans": "propose_plan",  # priced from the catalogue first: see propose_plan below
}


def act(app: InscribeApplication, ctx: CommandContext, customer_id: UUID, action: str, **data: Any) -> CommandResult:
    """Run one customer action (a key of ACTIONS) with its arguments."""
    if action == "plans":
        return propose_plan(app, ctx, customer_id, **data)
    method = ACTIONS[action]
    return app.execute(ctx, Customer, UUID(str(customer_id)), lambda customer: getattr(customer, method)(**data))


# -- the proposed plan (guide 4.3) --------------------------------------------------------------

#: Quotation inputs that come from the customer, not from the plan item.
CUSTOMER_FIELDS = ("age", "gender", "occupation_class")


def propose_plan(
    app: InscribeApplication,
    ctx: CommandContext,
    customer_id: UUID,
    items: list[dict[str, Any]],
    rationale: str,
    catalogue: Catalogue | None = None,
) -> CommandResult:
    """Price each item ({product_code, product_version?, sum_insured, term_months, premium_mode, riders?})
    for the customer on today's date (China time), then record the plan on the customer."""
    products = catalogue or default_catalogue()

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
    product = _product(catalogue, cover.get("product_code"), cover.get("product_version"), field)
    raw_riders = cover.get("riders") or []
    if not isinstance(raw_riders, (list, tuple)):
        raise InvalidValue(f"{field}.riders", "must be a list of {product_code, sum_insured}")
    riders: list[tuple[Product, Any]] = []
    for j, rider in enumerate(raw_riders):
        if not isinstance(rider, dict) or set(rider) - {"product_code", "product_version", "sum_insured"}:
            raise InvalidValue(f"{field}.riders[{j}]", "must be an object with product_code and sum_insured")
        rider_product = _product(
            catalogue, rider.get("product_code"), rider.get("product_version"), f"{field}.riders[{j}]"
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


def _product(catalogue: Catalogue, code: Any, version: Any, field: str) -> Product:
    try:
        return catalogue.get(code, version)
    except InvalidValue as refusal:
        raise InvalidValue(f"{field}.{refusal.field}", refusal.message, code=refusal.code) from None
