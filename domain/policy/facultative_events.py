"""The event of a facultative placement while a case is referred beyond every treaty's capacity (guide 6.1.1 (6)
有效利用再保险支持; domain.policy.facultative). Re-exported by domain.policy.events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.policy.event_base import PolicyEvent
from domain.policy.state import PolicyState


class FacultativePlaced(PolicyEvent):
    """A part of the risk placed with a reinsurer outside the treaties (临时分保): its sum insured and premium."""

    TOPIC = "inscribe.policy.FacultativePlaced.v1"
    on: date
    no: int
    reinsurer: str
    sum_insured: Decimal
    premium: Decimal
    placed_by: str

    def effect(self, policy: PolicyState) -> None:
        policy.facultative.append(
            {
                "no": self.no,
                "reinsurer": self.reinsurer,
                "sum_insured": self.sum_insured,
                "premium": self.premium,
                "placed_on": self.on,
                "placed_by": self.placed_by,
            }
        )
