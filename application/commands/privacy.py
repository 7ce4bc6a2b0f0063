"""Personal data commands (SPEC §9, PIPL Art. 47; Insurance Law Art. 87): deletion requests, erasure,
and the record of each unmasked read.

A deletion request is decided by retention: while any of the customer's policies' retention periods
runs, the data is restricted at once (kept, masked for everyone, every consent withdrawn, no
processing but storage); when none runs, the customer's key is destroyed in the transaction of the
`PersonalDataErased` event (crypto-shredding) and the identity claim is released. An explicit erasure
while a period runs is refused with `retention-period-running` and records nothing.

The customer's policies come from the read side (`app.contracts_of`, wired by the composition root),
which waits until the policies register has reached the head of the log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from application.app import CommandResult, InscribeApplication, StaleVersion
from application.context import CommandContext
from application.infrastructure.personal import policy_subject
from application.retention import Contract, CustomerRetention, customer_retention
from domain.customer.aggregate import Customer
from domain.errors import DomainError
from domain.identifiers import china_today
from domain.identity.aggregate import IdentityClaim
from domain.personal_access.aggregate import PersonalDataAccess


class RetentionPeriodRunning(DomainError):
    """The records must still be kept (Art. 87): erasure now would purge them early (HTTP 409)."""

    code = "retention-period-running"


def contracts_source(app: InscribeApplication) -> Callable[[str], list[Contract]]:
    return app.contracts_of


def retention_of(app: InscribeApplication, customer_id: UUID) -> CustomerRetention:
    return customer_retention(str(customer_id), contracts_source(app)(str(customer_id)))


def request_erasure(
    app: InscribeApplication, ctx: CommandContext, customer_id: UUID, reason: str, today: date | None = None
) -> CommandResult:
    """A customer's deletion request: restriction while retention runs, crypto-shredding when none does."""
    day = today or china_today()

    def run() -> CommandResult:
        retention = retention_of(app, customer_id)
        if not retention.running(day):
            return _shred(app, ctx, customer_id, reason)
        customer = _load(app, ctx, customer_id)
        customer.restrict_processing(reason, retention.retention_end)
        return app.record(ctx, customer)

    return app.once(ctx, run)


def erase(
    app: InscribeApplication, ctx: CommandContext, customer_id: UUID, reason: str, today: date | None = None
) -> CommandResult:
    """Destroy the customer's key now; refused while a retention period runs."""
    day = today or china_today()

    def run() -> CommandResult:
        retention = retention_of(app, customer_id)
        if retention.running(day):
            end = retention.retention_end
            raise RetentionPeriodRunning(
                "the records must be kept " + (f"until {end}" if end else "until the application is decided"),
                retention_end=None if end is None else end.isoformat(),
            )
        return _shred(app, ctx, customer_id, reason)

    return app.once(ctx, run)


def _load(app: InscribeApplication, ctx: CommandContext, customer_id: UUID) -> Customer:
    customer = app.load(Customer, customer_id)
    if ctx.expected_version is not None and ctx.expected_version != customer.version:
        raise StaleVersion(
            f"customer {customer_id} is at version {customer.version}, not {ctx.expected_version}",
            current_version=customer.version,
        )
    return customer


def _shred(app: InscribeApplication, ctx: CommandContext, customer_id: UUID, reason: str) -> CommandResult:
    customer = _load(app, ctx, customer_id)
    # The policies the customer applied for carry beneficiaries and contacts under their own keys.
    policies = [c.policy_id for c in contracts_source(app)(str(customer_id)) if "applicant" in c.role]
    subjects = [str(customer_id), *(policy_subject(p) for p in policies)]
    claim_id = IdentityClaim.id_for(customer.identity_key, app.identity_secret)  # before it is erased
    customer.erase_personal_data(reason)
    claim = app.load(IdentityClaim, claim_id) if app.exists(claim_id) else None
    if claim is not None and claim.customer_id == customer.id:
        claim.release()
    others = [claim] if claim is not None and claim.pending_events else []
    try:
        return app.record(ctx, customer, *others, shred=subjects)
    finally:
        for subject in subjects:
            app.keys.forget(subject)
        app.forget_cached(customer_id, *(UUID(p) for p in policies))


def record_disclosure(
    app: InscribeApplication, ctx: CommandContext, subject_ids: list[str], view: str
) -> CommandResult:
    """Record that the actor saw these customers' personal data unmasked (with the reason in `ctx`)."""
    return app.create(ctx, lambda: PersonalDataAccess.disclose(subject_ids, view))
