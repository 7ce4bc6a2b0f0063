"""Reinsurance carried through every step (guide 6.1.1 (6)) by the application layer: a quota share, a surplus and a
per-risk excess of loss on property concluded; a home policy issued and ceded under them; a claim paid and recovered;
a reinsurer's settlement received; a treaty ended. For the tests whose log must hold every kind of event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from application.commands import policies, reinsurance
from application.commands import policy_servicing as servicing
from domain.product.model import LINES
from tests.builders.claims import ClaimDesk, manager
from tests.builders.common import ctx

DAY = timedelta(days=1)
YEAR_START, YEAR_END = date(2026, 1, 1), date(2026, 12, 31)
#: The three forms, as the tests conclude them on property.
QUOTA_SHARE: dict[str, Any] = {
    "name": "Property quota share 2026",
    "kind": "quota_share",
    "terms": {"ceded_pct": "30"},
    "reinsurers": [{"reinsurer": "China Re", "share_pct": "60"}, {"reinsurer": "Swiss Re", "share_pct": "40"}],
}
SURPLUS: dict[str, Any] = {
    "name": "Property surplus 2026",
    "kind": "surplus",
    "terms": {"retention": "200000", "lines": 2},
    "reinsurers": [{"reinsurer": "Munich Re", "share_pct": "100"}],
}
EXCESS: dict[str, Any] = {
    "name": "Property per-risk excess of loss 2026",
    "kind": "excess_of_loss",
    "terms": {"retention": "5000", "limit": "50000", "rate_pct": "2.5"},
    "reinsurers": [{"reinsurer": "Hannover Re", "share_pct": "100"}],
}


def team() -> Any:
    return ctx("re-1", "reinsurance")


def conclude(services: Any, fields: dict[str, Any], on: date = YEAR_START, **overrides: Any) -> UUID:
    args: dict[str, Any] = {
        "lines": ["property"],
        "product_codes": [],
        "effective_from": YEAR_START,
        "effective_to": YEAR_END,
        "by": "re-1",
        **fields,
        **overrides,
    }
    return UUID(reinsurance.conclude(services.app, team(), on=on, **args).id)


@dataclass
class Carried:
    treaties: tuple[UUID, UUID, UUID]
    policy: UUID
    claim: UUID


def carry_reinsurance_through(services: Any, desk: ClaimDesk | None = None, seed: int = 1) -> Carried:
    """The three treaties; a home policy (800,000 insured) applied for and paid on 2026-01-05; a fire claim paid
    (assessed 100,000) on 2026-02-14; China Re's settlement of 1,000 on 2026-03-01; the excess of loss ended on 2026-06-30."""
    desk = desk or ClaimDesk(services)
    treaties = (conclude(services, QUOTA_SHARE), conclude(services, SURPLUS), conclude(services, EXCESS))
    policy = desk.home_policy(seed)
    claim = desk.to_paid(
        "fire", policy, loss=date(2026, 2, 8), reported=date(2026, 2, 10), assessed="100000", who=manager()
    )
    reinsurance.receive_recovery(
        services.app, team(), treaties[0], date(2026, 3, 1), reinsurer="China Re", amount="1000", reference="SET-1"
    )
    reinsurance.end(services.app, team(), treaties[2], date(2026, 6, 30), ends_on=date(2026, 6, 30), reason="replaced")
    return Carried(treaties, policy.id, claim.id)


def widest_treaties(
    app: Any, ctx: Callable[[], Any], name: str, short: str, top: str
) -> tuple[list[UUID], list[dict[str, Any]]]:
    """The widest treaties (for tests/integration/test_widest_values.py): one of each form over every line and
    home_property, named `name`, concluded by `short`, with twenty reinsurers of the widest names and the largest
    terms; the last reinsurer settles `top` under the first (`ctx()`: a command's context, a new one each). Their
    ids, and the reinsurers."""
    reinsurers = [{"reinsurer": f"{i:02d}{name}"[:200], "share_pct": "5"} for i in range(20)]
    forms = (
        ("quota_share", {"ceded_pct": "99.99", "capacity": top}),
        ("surplus", {"retention": top, "lines": 50}),  # (nothing beyond its capacity: the policy is not referred)
        ("excess_of_loss", {"retention": "0.01", "limit": top, "rate_pct": "100"}),
    )
    treaties = [
        UUID(
            reinsurance.conclude(
                app,
                ctx(),
                name=name,
                kind=kind,
                lines=list(LINES),
                product_codes=["home_property"],
                terms=terms,
                reinsurers=reinsurers,
                effective_from=date(2026, 1, 1),
                effective_to=date(2030, 12, 31),
                by=short,
                on=date(2025, 12, 1),
            ).id
        )
        for kind, terms in forms
    ]
    last = reinsurers[19]["reinsurer"]
    reinsurance.receive_recovery(app, ctx(), treaties[0], date(2026, 1, 2), reinsurer=last, amount=top, reference=name)
    return treaties, reinsurers


def place_a_risk_facultatively(services: Any, desk: ClaimDesk | None = None, seed: int = 2) -> UUID:
    """A quota share and a surplus of 2024 on home insurance (no other treaty covers 2024: the demo's and
    `carry_reinsurance_through`'s are later); a home policy of 1,000,000 applied for on 2024-01-05, of which 100,000
    is beyond their capacity (300,000 to the quota share, 400,000 to the surplus, 300,000 kept over a retention of
    200,000): referred, placed facultatively, accepted by a senior underwriter, paid."""
    desk = desk or ClaimDesk(services)
    first, last, day = date(2024, 1, 1), date(2024, 12, 31), date(2024, 1, 5)
    for fields in (QUOTA_SHARE, SURPLUS):
        scope = {"lines": [], "product_codes": ["home_property"]}
        conclude(
            services,
            {**fields, "name": f"{fields['name']} (2024)"},
            on=first,
            effective_from=first,
            effective_to=last,
            **scope,
        )
    referred = desk.home_policy(seed, on=day, paid=False, sum_insured="1000000")
    reinsurance.place_facultative(
        services.app, team(), referred.id, day, reinsurer="Lloyd's 2987", sum_insured="100000", premium="350"
    )
    policies.decide(services.app, ctx("su-1", "senior_underwriter"), referred.id, "accept", decided_on=day)
    servicing.pay_premium(
        services.app, ctx(), referred.id, day, amount=desk.policy(referred.id).installment, reference="b"
    )
    return referred.id
