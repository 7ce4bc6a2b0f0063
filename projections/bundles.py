"""The bundles register (guide 3.3 保险产品组合策略): one row per bundle, its items (each an application with its
quoted premium) and their combined annual premium. Each item's policy stands in the policies register
(`bundle_policies` reads both as of the same position).
"""

from __future__ import annotations

from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import JSON, Column, Date, Integer, Numeric, String

from domain.bundle.aggregate import Bundle
from projections.aggregates import AggregateCache
from projections.base import Batch, Projection
from projections.policies import ID, POLICIES
from projections.register import Reader, Register
from projections.versioned import versioned_table

bundles = versioned_table(
    "bundles",
    "bundle_id",
    Column("applicant_id", String(36), nullable=False),
    Column("channel", String(50), nullable=False),
    Column("agent_id", ID, nullable=False),
    Column("proposed_on", Date, nullable=False),
    Column("items", JSON(none_as_null=True), nullable=False),
    Column("policy_count", Integer, nullable=False),
    Column("combined_annual_premium", Numeric(18, 2), nullable=False),
    Column("strategies", JSON(none_as_null=True), nullable=False),
    Column("last_event_on", Date, nullable=False),
    ranges=False,  # one version a bundle
)


def bundle_row(bundle: Bundle) -> dict[str, Any]:
    return {
        "applicant_id": bundle.applicant_id,
        "channel": bundle.channel,
        "agent_id": bundle.agent_id,
        "proposed_on": bundle.proposed_on,
        "items": [dict(item) for item in bundle.items],
        "policy_count": len(bundle.items),
        "combined_annual_premium": bundle.combined_annual_premium,
        "strategies": list(bundle.strategies),
        "last_event_on": bundle.business_date,
    }


class BundlesProjection(Projection):
    """Keeps the bundles register."""

    handles = (Bundle.Event,)
    aggregate = Bundle

    name = "bundles"
    tables = (bundles,)

    def bind(self, app: Any) -> None:
        super().bind(app)
        self.cache = AggregateCache(app)

    def keys(self, event: DomainEventProtocol[Any]) -> list[str]:
        return [str(event.originator_id)] if isinstance(event, Bundle.Event) else []

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        batch.versioned(bundles).preload([k for event, _ in events for k in self.keys(event)])

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if not isinstance(event, Bundle.Event):
            return
        bundle = cast(Bundle, self.cache.apply(event))
        batch.versioned(bundles).put(str(bundle.id), bundle_row(bundle), position)


_b = bundles.c
#: 组合投保: each bundle with its items and combined premium.
BUNDLES = Register(
    bundles,
    "bundles",
    {
        "proposed_on": _b.proposed_on,
        "combined_annual_premium": _b.combined_annual_premium,
        "policy_count": _b.policy_count,
    },
    "-proposed_on",
    view="BundleView",
    doc="A bundle (3.3): one applicant's applications proposed together, each item's product, insured, sum insured, "
    "term and quoted annual premium, their combined annual premium and the combination strategies they follow.",
    page_view="BundlePage",
)


def bundle_filters(applicant_id: Any = None, agent_id: str | None = None) -> list[Any]:
    given = ((_b.applicant_id, applicant_id), (_b.agent_id, agent_id))
    return [column == str(value) for column, value in given if value is not None]


def bundle_policies(read: Reader, items: list[dict[str, Any]], as_of: int | None) -> list[dict[str, Any]]:
    """Each item's policy as the policies register shows it at `as_of` (None: not there yet)."""
    shown = []
    for item in items:
        row = POLICIES.raw(read, item["policy_id"], as_of)
        shown.append(
            {
                "policy_id": item["policy_id"],
                "product_code": item["product_code"],
                "policy_number": None if row is None else row.get("policy_number"),
                "status": None if row is None else row.get("status"),
                "annual_premium": None if row is None else row.get("annual_premium"),
            }
        )
    return shown
