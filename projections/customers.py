"""The customers register (客户登记簿): one versioned row per customer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import singledispatchmethod
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import JSON, Column, Connection, Date, DateTime, Integer, String, Text, select, update

from domain.customer import events as cev
from domain.customer.aggregate import ERASED, Customer
from projections.base import Batch, Projection
from projections.db import utc
from projections.register import Reader, Register
from projections.surveys import record_survey, satisfaction_surveys
from projections.versioned import versioned_table

customers = versioned_table(
    "customers",
    "customer_id",
    Column("version", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    # name.casefold(): up to 3 characters for one ("ß" → "ss", "ﬃ" → "ffi"), so unbounded
    Column("name_folded", Text, nullable=False),
    Column("identity_number", String(18), nullable=False),
    Column("birth_date", Date, nullable=True),
    Column("gender", String(10), nullable=True),
    Column("occupation", String(200), nullable=True),
    Column("occupation_class", Integer, nullable=True),
    Column("industry", String(200), nullable=True),
    Column("size", String(20), nullable=True),
    Column("segment", String(50), nullable=True),
    Column("lifecycle_stage", String(20), nullable=False),
    Column("registered_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("contacts", JSON(none_as_null=True), nullable=False),
    Column("consents", JSON(none_as_null=True), nullable=False),
    Column("profile", JSON(none_as_null=True), nullable=False),
    Column("needs", JSON(none_as_null=True), nullable=True),
    Column("risk", JSON(none_as_null=True), nullable=True),
    Column("plan", JSON(none_as_null=True), nullable=True),  # the latest proposed plan (4.3)
    Column("interactions", Integer, nullable=False),
    Column("surveys", Integer, nullable=False),
    Column("satisfaction_average", String(10), nullable=True),
    Column("satisfaction_total", String(20), nullable=True),  # sum of survey averages, exact
    Column("personal_data", String(10), nullable=False),  # available | restricted | erased (PIPL)
)

INDIVIDUAL_PROFILE = ("family_status", "dependants", "annual_income")
ENTERPRISE_PROFILE = ("headcount", "annual_revenue", "contact_person")
COLUMN_FIELDS = ("name", "occupation", "occupation_class", "industry", "size")


def plain(value: Any) -> Any:
    """A JSON-friendly copy of an event value (Decimal and dates as strings)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return value


class CustomersProjection(Projection):
    """Keeps the customers register."""

    handles = (cev.Event,)
    aggregate = Customer

    name = "customers"
    tables = (customers, satisfaction_surveys)

    def keys(self, event: DomainEventProtocol[Any]) -> list[str]:
        return [str(event.originator_id)] if isinstance(event, cev.Event) else []

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        """The customers' rows only: a survey's row is new when written (projections.surveys)."""
        batch.versioned(customers).preload([k for event, _ in events for k in self.keys(event)])

    @singledispatchmethod
    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        """Events of other aggregates leave this register alone."""

    def _register(self, event: Any, position: int, batch: Batch, row: dict[str, Any]) -> None:
        moment = utc(event.timestamp)
        base = {
            "version": event.originator_version,
            "name": event.name,
            "name_folded": event.name.casefold(),
            "lifecycle_stage": "prospect",
            "registered_at": moment,
            "updated_at": moment,
            "contacts": plain(event.contacts),
            "consents": [],
            "interactions": 0,
            "surveys": 0,
            "personal_data": "available",
        }
        batch.versioned(customers).put(str(event.originator_id), {**base, **row}, position)

    @apply.register
    def _(self, event: cev.IndividualRegistered, position: int, batch: Batch) -> None:
        self._register(
            event,
            position,
            batch,
            {
                "kind": "individual",
                "identity_number": event.id_number,
                "birth_date": event.birth_date,
                "gender": event.gender,
                "occupation": event.occupation,
                "occupation_class": event.occupation_class,
                "profile": {k: plain(getattr(event, k)) for k in INDIVIDUAL_PROFILE},
            },
        )

    @apply.register
    def _(self, event: cev.EnterpriseRegistered, position: int, batch: Batch) -> None:
        self._register(
            event,
            position,
            batch,
            {
                "kind": "enterprise",
                "identity_number": event.credit_code,
                "industry": event.industry,
                "size": event.size,
                "profile": {k: plain(getattr(event, k)) for k in ENTERPRISE_PROFILE},
            },
        )

    def _change(self, event: Any, position: int, batch: Batch, **changes: Any) -> None:
        writer = batch.versioned(customers)
        key = str(event.originator_id)
        row = writer.get(key)
        if row is None:  # the registration is always first; a missing row is a bug worth seeing
            raise LookupError(f"customers register has no row for {key}")
        row.update(changes, version=event.originator_version, updated_at=utc(event.timestamp))
        writer.put(key, row, position)

    @apply.register
    def _(self, event: cev.Event, position: int, batch: Batch) -> None:
        """A customer event the register shows nothing of still makes a version (version, updated_at)."""
        self._change(event, position, batch)

    @apply.register
    def _(self, event: cev.ContactsChanged, position: int, batch: Batch) -> None:
        self._change(event, position, batch, contacts=plain(event.contacts))

    @apply.register
    def _(self, event: cev.ProfileUpdated, position: int, batch: Batch) -> None:
        row = batch.versioned(customers).get(str(event.originator_id)) or {}
        changes = plain(event.changes)
        columns = {k: v for k, v in changes.items() if k in COLUMN_FIELDS}
        if "name" in columns:
            columns["name_folded"] = columns["name"].casefold()
        profile = {**(row.get("profile") or {}), **{k: v for k, v in changes.items() if k not in COLUMN_FIELDS}}
        self._change(event, position, batch, profile=profile, **columns)

    @apply.register
    def _(self, event: cev.SegmentAssigned, position: int, batch: Batch) -> None:
        self._change(event, position, batch, segment=event.segment)

    @apply.register
    def _(self, event: cev.LifecycleStageChanged, position: int, batch: Batch) -> None:
        self._change(event, position, batch, lifecycle_stage=event.stage)

    @apply.register
    def _(self, event: cev.InteractionRecorded, position: int, batch: Batch) -> None:
        row = batch.versioned(customers).get(str(event.originator_id)) or {}
        self._change(event, position, batch, interactions=(row.get("interactions") or 0) + 1)

    @apply.register
    def _(self, event: cev.ConsentGiven, position: int, batch: Batch) -> None:
        row = batch.versioned(customers).get(str(event.originator_id)) or {}
        consents = sorted(set(row.get("consents") or []) | {event.purpose})
        self._change(event, position, batch, consents=consents)

    @apply.register
    def _(self, event: cev.ConsentWithdrawn, position: int, batch: Batch) -> None:
        row = batch.versioned(customers).get(str(event.originator_id)) or {}
        consents = sorted(set(row.get("consents") or []) - {event.purpose})
        self._change(event, position, batch, consents=consents)

    @apply.register
    def _(self, event: cev.NeedsAnalysed, position: int, batch: Batch) -> None:
        needs = {
            "concerns": list(event.concerns),
            "potential_needs": list(event.potential_needs),
            "budget": plain(event.budget),
        }
        self._change(event, position, batch, needs=needs)

    @apply.register
    def _(self, event: cev.RisksAssessed, position: int, batch: Batch) -> None:
        risk = {"overall_score": event.overall_score, "priority": event.priority, "risks": plain(event.risks)}
        self._change(event, position, batch, risk=risk)

    @apply.register
    def _(self, event: cev.PlanProposed, position: int, batch: Batch) -> None:
        plan = {
            "items": plain(event.items),
            "total_annual_premium": plain(event.total_annual_premium),
            "rationale": event.rationale,
            "budget_fit": event.budget_fit,
            "proposed_at": event.timestamp.astimezone(UTC).isoformat(),
            "proposed_by": event.meta.get("actor_id"),
        }
        self._change(event, position, batch, plan=plan)

    @apply.register
    def _(self, event: cev.SatisfactionSurveyed, position: int, batch: Batch) -> None:
        row = batch.versioned(customers).get(str(event.originator_id)) or {}
        count = (row.get("surveys") or 0) + 1
        total = Decimal(row.get("satisfaction_total") or "0") + Decimal(event.average)
        average = (total / count).quantize(Decimal("0.01"), ROUND_HALF_UP)
        self._change(
            event, position, batch, surveys=count, satisfaction_total=str(total), satisfaction_average=str(average)
        )
        record_survey(event, row.get("kind") or "individual", position, batch)

    @apply.register
    def _(self, event: cev.ProcessingRestricted, position: int, batch: Batch) -> None:
        self._change(event, position, batch, personal_data="restricted")

    @apply.register
    def _(self, event: cev.PersonalDataErased, position: int, batch: Batch) -> None:
        """Forget the personal data in every version of the customer's row, not just from now on."""
        writer = batch.versioned(customers)
        key = str(event.originator_id)
        self._change(event, position, batch, personal_data="erased", **scrubbed(writer.get(key) or {}))
        writer.flush()  # the new version is written; now rewrite the earlier ones
        scrub_versions(batch.conn, key)


# --- queries ---------------------------------------------------------------------------------
SORTABLE = {
    "name": customers.c.name_folded,
    "registered_at": customers.c.registered_at,
    "lifecycle_stage": customers.c.lifecycle_stage,
    "segment": customers.c.segment,
    "updated_at": customers.c.updated_at,
}


#: 客户登记簿: the rows as stored (the interface masks personal data before answering).
CUSTOMERS = Register(
    customers, "customers", SORTABLE, "registered_at", view="CustomerRow", doc="A row of the customers register."
)


def customer_filters(
    name: str | None = None,
    kind: str | None = None,
    segment: str | None = None,
    lifecycle_stage: str | None = None,
    registered_from: datetime | None = None,
    registered_to: datetime | None = None,
) -> list[Any]:
    """SQL conditions for the register's filters (name matches any part, case-insensitively)."""
    c = customers.c
    conditions: list[Any] = []
    if name:
        conditions.append(c.name_folded.contains(name.casefold(), autoescape=True))
    if kind:
        conditions.append(c.kind == kind)
    if segment:
        conditions.append(c.segment == segment)
    if lifecycle_stage:
        conditions.append(c.lifecycle_stage == lifecycle_stage)
    if registered_from:
        conditions.append(c.registered_at >= utc(registered_from))
    if registered_to:
        conditions.append(c.registered_at < utc(registered_to))
    return conditions


# --- erasure (PIPL): what the register keeps of a customer whose key was destroyed -------------
def scrubbed(row: dict[str, Any]) -> dict[str, Any]:
    """The personal columns of a register row, as placeholders; the birth date and gender too (derived
    from the ID number; the gender is stored in the clear in events recorded before it was sealed)."""
    profile = dict(row.get("profile") or {})
    if "contact_person" in profile:
        profile["contact_person"] = ERASED
    return {
        "name": ERASED,
        "name_folded": ERASED,
        "identity_number": ERASED,
        "birth_date": None,
        "gender": None,
        "contacts": {},
        "profile": profile,
    }


def scrub_versions(conn: Connection, customer_id: str) -> None:
    """Replace the personal columns of every version of one customer's row (the history too)."""
    c = customers.c
    rows = conn.execute(select(c.valid_from, c.profile).where(c.customer_id == customer_id)).mappings().all()
    for row in rows:
        conn.execute(
            update(customers)
            .where(c.customer_id == customer_id, c.valid_from == row["valid_from"])
            .values(**scrubbed(dict(row)))
        )


def personal_statuses(conn: Connection, customer_ids: list[str]) -> dict[str, str]:
    """Each customer's personal data status now (available | restricted | erased), whatever `as_of` is read."""
    if not customer_ids:
        return {}
    c = customers.c
    rows = conn.execute(
        select(c.customer_id, c.personal_data).where(c.valid_to.is_(None), c.customer_id.in_(sorted(set(customer_ids))))
    )
    return {row[0]: row[1] for row in rows}


def statuses(read: Reader, customer_ids: list[str]) -> dict[str, str]:
    """Each customer's personal data status now, read through the read side (see personal_statuses)."""
    if not customer_ids:
        return {}
    with read.queries.connect() as conn:
        return personal_statuses(conn, customer_ids)
