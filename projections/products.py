"""The product versions register (guide 3.2; SPEC §13): one versioned row per product version, from its draft (or
its shipped file) to its withdrawal, with its design check, approval and days on sale.

Each row is a function of the catalogue aggregate as it stands after the event (`AggregateCache` applies each event
exactly as a replay would), so a rebuild writes exactly the rows the live projection wrote. Whether a version is on
sale depends on the day asked: `on_sale` is derived for `today` when a page is read.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import JSON, Column, Date, Integer, String, Text

from domain.product.approval import ProductCatalogue, VersionState
from domain.product.design import read_definition
from projections.aggregates import AggregateCache
from projections.base import Batch, Projection
from projections.policies import ID
from projections.register import Register
from projections.versioned import versioned_table

#: "code.vN": a code of at most 50 characters and a version of at most 9999.
KEY_LENGTH = 60

product_versions = versioned_table(
    "product_versions",
    "version_key",
    Column("code", String(50), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name_zh", Text, nullable=True),
    Column("name_en", Text, nullable=True),
    Column("line", String(20), nullable=True),
    Column("kind", String(10), nullable=True),
    Column("status", String(20), nullable=False),
    Column("source", Text, nullable=True),
    Column("drafted_on", Date, nullable=False),
    Column("drafted_by", ID, nullable=False),
    Column("findings", JSON(none_as_null=True), nullable=False),
    Column("checked_on", Date, nullable=True),
    Column("approved_by", ID, nullable=True),
    Column("approved_on", Date, nullable=True),
    Column("launches_on", Date, nullable=True),
    Column("withdrawn_on", Date, nullable=True),
    Column("last_event_on", Date, nullable=False),
    key_length=KEY_LENGTH,
    ranges=False,  # a handful of versions, each a few row versions
)


def version_key(code: str, version: int) -> str:
    return f"{code}.v{version}"


def version_row(state: VersionState) -> dict[str, Any]:
    """The register row of one version as the catalogue holds it. Names come from the definition as drafted
    (when it reads as an object), line and kind once it has passed its check."""
    names: dict[str, Any] = {}
    try:
        data = read_definition(state.definition)
        names = data if isinstance(data, dict) else {}
    except ValueError:
        pass
    product = state.product
    return {
        "code": state.code,
        "version": state.version,
        "name_zh": names.get("name_zh") if isinstance(names.get("name_zh"), str) else None,
        "name_en": names.get("name_en") if isinstance(names.get("name_en"), str) else None,
        "line": product.line if product is not None else None,
        "kind": product.kind if product is not None else None,
        "status": state.status,
        "source": state.source,
        "drafted_on": state.drafted_on,
        "drafted_by": state.drafted_by,
        "findings": [dict(f) for f in state.findings],
        "checked_on": state.checked_on,
        "approved_by": state.approved_by,
        "approved_on": state.approved_on,
        "launches_on": state.launches_on,
        "withdrawn_on": state.withdrawn_on,
        "last_event_on": state.last_on,
    }


class ProductsProjection(Projection):
    """Keeps the product versions register."""

    handles = (ProductCatalogue.Event,)
    aggregate = ProductCatalogue

    name = "products"
    tables = (product_versions,)

    def bind(self, app: Any) -> None:
        super().bind(app)
        self.cache = AggregateCache(app)

    @staticmethod
    def version_of(event: DomainEventProtocol[Any]) -> tuple[str, int] | None:
        """The (code, version) a catalogue event concerns (None: the catalogue's opening)."""
        code, version = getattr(event, "code", None), getattr(event, "version", None)
        if isinstance(event, ProductCatalogue.Event) and isinstance(code, str) and isinstance(version, int):
            return code, version
        return None

    def keys(self, event: DomainEventProtocol[Any]) -> list[str]:
        concerned = self.version_of(event)
        return [] if concerned is None else [version_key(*concerned)]

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        batch.versioned(product_versions).preload([k for event, _ in events for k in self.keys(event)])

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if not isinstance(event, ProductCatalogue.Event):
            return
        catalogue = cast(ProductCatalogue, self.cache.apply(event))
        concerned = self.version_of(event)
        if concerned is not None:
            row = version_row(catalogue.versions[concerned])
            batch.versioned(product_versions).put(version_key(*concerned), row, position)


# --- queries ---------------------------------------------------------------------------------
_p = product_versions.c
SORTABLE = {
    "code": _p.code,
    "status": _p.status,
    "drafted_on": _p.drafted_on,
    "launches_on": _p.launches_on,
    "last_event_on": _p.last_event_on,
}
DEFAULT_SORT = "code"


def with_on_sale(row: dict[str, Any], today: date) -> None:
    first, withdrawn = row["launches_on"], row["withdrawn_on"]
    row["on_sale"] = first is not None and first <= today and (withdrawn is None or today < withdrawn)


#: 产品: each product version with its check, approval and days on sale.
PRODUCT_VERSIONS = Register(
    product_versions,
    "products",
    SORTABLE,
    DEFAULT_SORT,
    view="ProductVersionView",
    doc="A product version (3.2): drafted (or shipped), checked against the design rules (its findings), "
    "approved, launched and withdrawn; `on_sale` as of `today` (sold from `launches_on` up to the day before "
    "`withdrawn_on`).",
    page_view="ProductVersionPage",
    extra={"on_sale": (bool, False)},
    derive=with_on_sale,
)


def version_filters(
    code: str | None = None,
    status: str | None = None,
    line: str | None = None,
    kind: str | None = None,
    on_sale: bool | None = None,
    today: date | None = None,
) -> list[Any]:
    """SQL conditions for the register's filters; `on_sale` as on `today` (given by the caller)."""
    conditions: list[Any] = []
    for column, value in ((_p.code, code), (_p.status, status), (_p.line, line), (_p.kind, kind)):
        if value is not None:
            conditions.append(column == value)
    if on_sale is not None and today is not None:
        selling = (
            _p.launches_on.is_not(None)
            & (_p.launches_on <= today)
            & (_p.withdrawn_on.is_(None) | (_p.withdrawn_on > today))
        )
        conditions.append(selling if on_sale else ~selling)
    return conditions
