"""Policy commands (SPEC §5), one typed function each: application with automatic underwriting,
decisions within authority, the applicant's answer to conditions, and time; the customer's lifecycle
follows the policies in the same transaction. The commands on an issued policy (premiums,
reinstatement, changes, renewal, surrender, rescission) are in application.commands.policy_servicing.

Every dated command first records, under the system's name, what the passing of time has caused
up to its date (a lapse, a deemed consent, an expiry), so the command is judged against the policy
as it really stands on that date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from application.app import CommandResult, InscribeApplication
from application.context import CommandContext, system_context
from domain.authority import check_underwriting_authority
from domain.customer.aggregate import Customer
from domain.errors import DomainError, InvalidValue, NotFound
from domain.identifiers import china_today
from domain.policy.aggregate import Policy
from domain.policy.state import CoverSnapshot
from domain.policy.underwriting import assess, decline_notice, suggest_products
from domain.policy.underwriting_case import Party, UnderwritingCase, age_on
from domain.product.model import Product
from domain.product.quotation import Quote, quote

IN_FORCE = "in_force"
OUT_OF_FORCE = ("lapsed", "terminated", "cancelled", "surrendered", "rescinded", "expired")


def _customer(app: InscribeApplication, customer_id: Any, field: str) -> Customer:
    try:
        return app.load(Customer, UUID(str(customer_id)))
    except (NotFound, ValueError):
        raise InvalidValue(field, f"no customer {customer_id}") from None


def _answers_for(product: Product, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the product's own questions: a rider's questions are answered in the same
    application, but the main product's rules (health loading, underwriting case) refuse them."""
    own = {q.id for q in product.disclosure_questions}
    return {key: value for key, value in answers.items() if key in own}


def quote_cover(
    app: InscribeApplication,
    policy: Policy,
    *,
    sum_insured: Any = None,
    extra_loading_pct: Any = 0,
    on: date | None = None,
    latest: bool = False,
) -> Quote:
    """The premium for the policy's insured and cover (the product version it was sold under, or the latest
    on sale on the day quoted)."""
    when = on or policy.applied_on or china_today()
    catalogue = app.catalogue

    def version(code: str, sold: int) -> Product:
        return catalogue.on_sale(code, None, when) if latest else catalogue.get(code, sold)

    product = version(policy.product_code, policy.product_version)
    riders = [(version(r["code"], r["version"]), Decimal(str(r["sum_insured"]))) for r in policy.riders]
    insured = _customer(app, policy.insured_id, "insured_id")
    individual = insured.kind == "individual"
    return quote(
        product,
        age=age_on(insured.birth_date, when) if individual and insured.birth_date else None,
        gender=insured.gender if individual else None,
        sum_insured=policy.sum_insured if sum_insured is None else sum_insured,
        term_months=policy.term_months,
        premium_mode=policy.premium_mode,
        occupation_class=(insured.occupation_class or 1) if individual else 1,
        health_loading_pct=product.health_loading_for(_answers_for(product, policy.disclosures)),
        extra_loading_pct=extra_loading_pct,
        riders=riders,
    )


def quote_for(app: InscribeApplication, policy: Policy) -> Quote:
    """The premium of the policy's cover as sold (main and each rider), e.g. a rider's share."""
    return quote_cover(app, policy)


def _lifecycle(app: InscribeApplication, policy: Policy) -> list[Customer]:
    """The policyholder's lifecycle follows the policy: active while it is in force."""
    holder = _customer(app, policy.applicant_id, "applicant_id")
    if policy.status == IN_FORCE:
        holder.note_policy_in_force(str(policy.id))
    elif policy.status in OUT_OF_FORCE:
        holder.note_policy_out_of_force(str(policy.id), policy.status)
    return [holder] if holder.pending_events else []


def renewal_quote(app: InscribeApplication, policy: Policy) -> Quote:
    """The renewal's premium: the latest product version, for the insured's age at the term's end.
    InvalidValue when it cannot be quoted (the insured aged out, the product withdrawn or no longer
    renewable, ...)."""
    try:
        product = app.catalogue.on_sale(policy.product_code, None, policy.end_date or china_today())
        if policy.renewable and not product.renewable:  # (a policy that never was renewable: Policy refuses)
            raise InvalidValue("product_code", f"{product.code} is no longer renewed", code="product-not-renewable")
        return quote_cover(app, policy, on=policy.end_date, latest=True)
    except DomainError as refusal:  # no version on sale on the renewal day: withdrawn
        if isinstance(refusal, InvalidValue):
            raise
        raise InvalidValue("product_code", str(refusal), code=refusal.code) from None


def _renewal_premium(app: InscribeApplication, policy: Policy) -> Callable[[], tuple[Any, Any]] | None:
    """What `Policy.advance_time` asks when the renewal offer falls due; a refusal (InvalidValue)
    makes the policy record that it is not renewable (RenewalNotOffered), never an error."""
    if not policy.renewable or policy.end_date is None:
        return None

    def premium() -> tuple[Any, Any]:
        renewed = renewal_quote(app, policy)
        return renewed.annual_premium, renewed.installment_amount

    return premium


def advance(app: InscribeApplication, policy_id: UUID, today: date, *, offers: bool = True) -> CommandResult | None:
    """Record what the passing of time causes up to `today` (actor: system). None if nothing.
    Without `offers`, a renewal offer that has fallen due is left to the caller to make."""
    policy = app.load(Policy, policy_id)
    before = policy.version
    policy.advance_time(today, _renewal_premium(app, policy) if offers else None)
    if not policy.pending_events:
        return None
    ctx = system_context(
        f"the passing of time up to {today.isoformat()}", command_id=f"time:{policy_id}:{before}:{today.isoformat()}"
    )
    return app.once(ctx, lambda: app.record(ctx, policy, *_lifecycle(app, policy)))


def command(
    app: InscribeApplication,
    ctx: CommandContext,
    policy_id: UUID,
    on: date | None,
    action: Callable[[Policy], None],
    field: str = "on",
    *,
    offers: bool = True,
) -> CommandResult:
    """Bring the policy up to `on`, then load → act → save with the policyholder's lifecycle.

    A date after today is refused first: bringing the policy up to it would record, as done, what
    time has not yet caused (a lapse the payment could still prevent).
    """
    today = china_today()
    if on is not None and on > today:
        raise InvalidValue(field, f"{on} is after today ({today}): the future cannot be recorded")
    if app.previous_answer(ctx) is None and on is not None:
        advance(app, policy_id, on, offers=offers)

    def act(policy: Policy) -> list[Customer]:
        action(policy)
        return _lifecycle(app, policy)

    return app.execute(ctx, Policy, policy_id, act)


# --- application and underwriting ---------------------------------------------------------------


def apply_for_policy(app: InscribeApplication, ctx: CommandContext, **application: Any) -> CommandResult:
    """投保: record the application and the automatic underwriting (6.2) in one command (the fields of
    `application_of`)."""
    return app.once(ctx, lambda: app.record(ctx, application_of(app, ctx, **application)))


def application_of(
    app: InscribeApplication,
    ctx: CommandContext,
    *,
    applicant_id: Any,
    insured_id: Any,
    relationship: str,
    product_code: str,
    product_version: int | None = None,
    sum_insured: Any,
    term_months: int,
    premium_mode: str,
    beneficiaries: Sequence[Mapping[str, Any]] = (),
    riders: Sequence[Mapping[str, Any]] = (),
    disclosures: Mapping[str, bool] | None = None,
    channel: str = "agent",
    agent_id: str | None = None,
    applied_on: date | None = None,
    insured_consent: bool = False,
    declared_property_value: Any = None,
) -> Policy:
    """The policy an application makes, with its automatic underwriting (6.2), not saved yet (apply_for_policy
    saves it alone, application.commands.bundles with the others of a bundle)."""
    on = applied_on or china_today()
    catalogue = app.catalogue  # only a version on sale on the day of the application is sold
    product = catalogue.on_sale(product_code, product_version, on)
    attached = []
    for i, rider in enumerate(riders):
        if "product_code" not in rider or "sum_insured" not in rider:
            raise InvalidValue(f"riders[{i}]", "a rider needs product_code and sum_insured")
        attached.append(
            (
                catalogue.on_sale(rider["product_code"], rider.get("product_version"), on),
                Decimal(str(rider["sum_insured"])),
            )
        )
    applicant = _customer(app, applicant_id, "applicant_id")
    insured = _customer(app, insured_id, "insured_id")
    for party in (applicant, insured):  # a deletion request limits their data to storage (PIPL Art. 47)
        party.check_processing_allowed()
    answers = dict(disclosures or {})
    try:
        case = UnderwritingCase(
            applicant=Party.of(applicant, on),
            insured=Party.of(insured, on),
            relationship=relationship,
            product=product,
            sum_insured=Decimal(str(sum_insured)),
            term_months=term_months,
            premium_mode=premium_mode,
            application_date=on,
            insured_consent=insured_consent,
            disclosures=_answers_for(product, answers),
            declared_property_value=declared_property_value,
            history=app.underwriting_history(str(insured.id), product.line),
            riders=tuple(attached),
            applicant_history=(
                None
                if applicant.id == insured.id  # 6.2.5 of the applicant too
                else app.underwriting_history(str(applicant.id), product.line)
            ),
        )
    except InvalidValue as refusal:  # the product names its answers `disclosure_answers`; we take `disclosures`
        field = refusal.field.replace("disclosure_answers", "disclosures", 1)
        raise InvalidValue(field, refusal.message, code=refusal.code) from None
    beyond = app.reinsurance_beyond(product.line, product.code, on, case.sum_insured)  # 6.1.1 (6)
    result = assess(replace(case, beyond_capacity=beyond), quote)
    priced = result.quote
    policy = Policy.apply(
        applicant_id=applicant.id,
        insured_id=insured.id,
        relationship=relationship,
        beneficiaries=[dict(b) for b in beneficiaries],
        product=product,
        riders=attached,
        sum_insured=sum_insured,
        term_months=term_months,
        premium_mode=premium_mode,
        disclosures=answers,
        agent_id=agent_id or ctx.actor_id,
        channel=channel,
        applied_on=on,
        quoted_annual_premium=getattr(priced, "annual_premium", None),
        quoted_installment=getattr(priced, "installment_amount", None),
        policy_id=uuid4(),
    )
    policy.start_underwriting(on=on)
    accepted = result.outcome == "accepted"
    # a decline is told in writing with its reasons (6.3.2 (1)), suggesting products that would take it (6.3.3)
    suggested = suggest_products(case, result, catalogue.selling(on)) if result.outcome == "declined" else ()
    policy.record_automatic_underwriting(
        [f.as_dict() for f in result.findings],
        result.outcome,
        getattr(priced, "annual_premium", None) if accepted else None,
        getattr(priced, "installment_amount", None) if accepted else None,
        on=on,
        notice=decline_notice(result, suggested) if result.outcome == "declined" else "",
        suggested_products=suggested,
    )
    return policy


def decide(
    app: InscribeApplication,
    ctx: CommandContext,
    policy_id: UUID,
    decision: str,
    *,
    reason: str = "",
    loading_pct: Any = 0,
    exclusions: Sequence[str] = (),
    suggested_products: Sequence[str] = (),
    decided_on: date | None = None,
) -> CommandResult:
    """核保决定 (6.3) on a referred case, within the underwriter's authority for the sum insured."""
    on = decided_on or china_today()

    def action(policy: Policy) -> None:
        total = policy.sum_insured + sum((Decimal(str(r["sum_insured"])) for r in policy.riders), Decimal(0))
        check_underwriting_authority(ctx.actor_role, total)
        priced = (
            quote_cover(app, policy, extra_loading_pct=loading_pct)
            if decision in ("accept", "offer_with_conditions")
            else None
        )
        policy.decide(
            decision,
            underwriter_id=ctx.actor_id,
            role=ctx.actor_role,
            reason=reason,
            loading_pct=loading_pct,
            exclusions=list(exclusions),
            suggested_products=list(suggested_products),
            annual_premium=getattr(priced, "annual_premium", None),
            installment=getattr(priced, "installment_amount", None),
            decided_on=on,
        )

    return command(app, ctx, policy_id, on, action, "decided_on")


def accept_conditions(app: InscribeApplication, ctx: CommandContext, policy_id: UUID, on: date) -> CommandResult:
    """The applicant accepts the underwriter's conditions (loading, exclusions)."""
    return command(app, ctx, policy_id, on, lambda policy: policy.accept_conditions(on))


def refuse_conditions(app: InscribeApplication, ctx: CommandContext, policy_id: UUID, on: date) -> CommandResult:
    """The applicant refuses the conditions: the application is withdrawn."""
    return command(app, ctx, policy_id, on, lambda policy: policy.refuse_conditions(on))


# --- reading -----------------------------------------------------------------------------------


def cover_on(app: InscribeApplication, policy_id: UUID, on: date, today: date | None = None) -> CoverSnapshot:
    """The policy as it stood on `on` (a loss date): what claims are judged against.

    Time is advanced on a copy up to today first, so a lapse the scheduler has not yet recorded
    still counts; nothing is saved.
    """
    now = today or china_today()
    if on > now:
        raise InvalidValue("on", f"{on} is after today ({now}): cover is known only up to today")
    policy = app.load(Policy, policy_id)
    policy.advance_time(now)
    return policy.cover_on(on)


def tick(app: InscribeApplication, policy_ids: Sequence[UUID], today: date) -> list[CommandResult]:
    """The scheduler's job: record what time has caused for each given policy."""
    results = []
    for policy_id in policy_ids:
        result = advance(app, policy_id, today)
        if result is not None:
            results.append(result)
    return results
