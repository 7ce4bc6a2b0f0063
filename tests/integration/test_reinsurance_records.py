"""Reinsurance on SQLite and PostgreSQL (guide 6.1.1 (6); application.commands.reinsurance, projections.reinsurance):
a policy's cession under a quota share, a surplus and an excess of loss, figured to the cent; the recoveries of a
claim payment; the ledger, the bordereau and the net loss ratio as of any moment; a risk beyond every treaty's
capacity; refusals that record nothing; a rebuild writes what the live projection wrote."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import select

from application.commands import policies, reinsurance
from application.commands import policy_servicing as servicing
from domain.errors import DomainError, InvalidValue
from projections.register import Paging
from projections.reinsurance import ReinsuranceProjection
from projections.reinsurance_registers import CESSIONS, ENTRIES, RECOVERIES, TREATIES, entry_filters
from projections.reinsurance_tables import reinsurance_entries
from projections.reports.reinsurance import BORDEREAU_SPEC, NET_SPEC
from tests.builders.claims import ClaimDesk
from tests.builders.common import ctx
from tests.builders.registers import every_row
from tests.builders.reinsurance import (
    EXCESS,
    QUOTA_SHARE,
    SURPLUS,
    carry_reinsurance_through,
    conclude,
    place_a_risk_facultatively,
    team,
)

CENT = Decimal("0.01")
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


def page(services: Any, register: Any, conditions: list[Any], position: int | None = None) -> list[dict[str, Any]]:
    found = register.page(services.read_side, conditions, Paging(1, 200, None), position).model_dump()
    return list(found["items"])


def test_a_policy_is_ceded_and_its_claim_recovered_to_the_cent_as_of_any_moment(services: Any) -> None:
    desk = ClaimDesk(services)
    carried = carry_reinsurance_through(services, desk)
    services.read_side.catch_up()
    quota, surplus, excess = (str(t) for t in carried.treaties)
    policy = desk.policy(carried.policy)
    premium, paid = policy.annual_premium, desk.claim("fire").paid_total
    assert premium is not None and paid > 0

    cession = CESSIONS.one(services.read_side, str(carried.policy), None)
    assert cession is not None
    row = cession.model_dump()
    # 800,000 insured: the quota share takes 30% (240,000); the surplus what is above 200,000 of the 560,000 left,
    # up to 2 lines (360,000); the insurer keeps 200,000; the excess of loss's layer is 50,000 of it (above 5,000)
    assert (row["sum_insured"], row["ceded_sum_insured"], row["retained"], row["beyond_capacity"]) == (
        Decimal("800000.00"),
        Decimal("600000.00"),
        Decimal("200000.00"),
        Decimal("0.00"),
    )
    parts = {t["treaty_id"]: t for t in row["treaties"]}
    assert {k: Decimal(t["sum_insured"]) for k, t in parts.items()} == {
        quota: Decimal("240000.00"),
        surplus: Decimal("360000.00"),
        excess: Decimal("50000.00"),
    }
    quota_premium = cents(premium * Decimal("0.3"))
    assert Decimal(parts[quota]["premium"]) == quota_premium
    assert Decimal(parts[surplus]["premium"]) == cents(premium * Decimal("0.45"))
    assert Decimal(parts[excess]["premium"]) == cents(premium * Decimal("0.025"))
    china = cents(quota_premium * Decimal("0.6"))
    assert [(s["reinsurer"], Decimal(s["premium"])) for s in parts[quota]["shares"]] == [
        ("China Re", china),
        ("Swiss Re", quota_premium - china),
    ]
    assert row["premium_received"] == premium  # the annual premium, paid before issue: ceded at issue
    assert row["premium_ceded_total"] == sum((Decimal(t["premium"]) for t in parts.values()), Decimal(0))

    # the claim: the proportional treaties their shares of the payment; the excess of loss what the net loss
    # (a quarter of the payment) exceeds 5,000 by
    owed = {
        quota: cents(paid * Decimal("0.3")),
        surplus: cents(paid * Decimal("0.45")),
        excess: cents(min(max(paid * Decimal("0.25") - 5000, Decimal(0)), Decimal(50000))),
    }
    (recovery,) = page(services, RECOVERIES, [])
    assert recovery["paid_total"] == paid and recovery["owed_total"] == sum(owed.values(), Decimal(0))
    ledger = page(services, ENTRIES, [])
    recovered = [e for e in ledger if e["kind"] == "recovery"]
    by_treaty = {t: sum((e["amount"] for e in recovered if e["treaty_id"] == t), Decimal(0)) for t in owed}
    assert by_treaty == owed
    assert [e["amount"] for e in ledger if e["kind"] == "claim"] == [paid]
    assert [(e["reinsurer"], e["amount"]) for e in ledger if e["kind"] == "received"] == [("China Re", -1000)]

    # as of the position before the payment: no recovery yet; the premium already ceded
    payment = min(e["position"] for e in recovered)
    assert page(services, ENTRIES, entry_filters("recovery"), payment - 1) == []
    assert len(page(services, ENTRIES, entry_filters("premium_ceded"), payment - 1)) == 4

    def bordereau(position: int | None, group: str = "treaty") -> Any:
        with services.read_side.engine.connect() as conn:
            return BORDEREAU_SPEC.run(conn, position, *YEAR, group)

    rows = {r["treaty"]: r for r in bordereau(None).rows}
    assert rows[quota]["claims_ceded"] == owed[quota] and rows[quota]["received"] == Decimal("1000.00")
    assert rows[quota]["outstanding"] == owed[quota] - 1000 and rows[quota]["premium_ceded"] == quota_premium
    assert bordereau(payment - 1).totals["claims_ceded"] == 0
    by_reinsurer = {r["reinsurer"]: r for r in bordereau(None, "reinsurer").rows}
    assert by_reinsurer["China Re"]["outstanding"] == cents(owed[quota] * Decimal("0.6")) - 1000

    with services.read_side.engine.connect() as conn:
        (net,) = NET_SPEC.run(conn, None, *YEAR, "line").rows
    ceded = row["premium_ceded_total"]
    assert (net["line"], net["gross_premium"], net["ceded_premium"], net["claims_paid"]) == (
        "property",
        premium,
        ceded,
        paid,
    )
    assert net["net_loss_ratio_pct"] == cents((paid - sum(owed.values())) * 100 / (premium - ceded))

    treaty = TREATIES.one(services.read_side, quota, None)
    assert treaty is not None and treaty.model_dump()["received_total"] == Decimal("1000.00")
    ended = TREATIES.one(services.read_side, excess, None)
    assert ended is not None and (ended.model_dump()["status"], ended.model_dump()["ended_on"]) == (
        "ended",
        date(2026, 6, 30),
    )

    large = place_a_risk_facultatively(services, desk)  # 100,000 of 1,000,000 beyond the surplus's capacity
    services.read_side.catch_up()
    placed = CESSIONS.one(services.read_side, str(large), None)
    assert placed is not None
    facultative = [t for t in placed.model_dump()["treaties"] if t["kind"] == "facultative"]
    assert placed.model_dump()["beyond_capacity"] == 0 and [Decimal(t["sum_insured"]) for t in facultative] == [100000]
    ceded = page(services, ENTRIES, entry_filters("premium_ceded", policy_id=str(large)))
    assert {e["treaty_id"] for e in ceded if e["reinsurer"] == "Lloyd's 2987"} == {"facultative"}  # one ledger group

    live = every_row(services.read_side)
    services.read_side.rebuild(["reinsurance"])
    assert every_row(services.read_side) == live


def test_a_risk_beyond_every_treatys_capacity_is_accepted_only_once_placed_facultatively(services: Any) -> None:
    desk = ClaimDesk(services)
    conclude(services, QUOTA_SHARE)
    small = conclude(services, SURPLUS, terms={"retention": "100000", "lines": 2})
    referred = desk.home_policy(1, paid=False)  # applied for on 2026-01-05: referred
    uncovered = desk.home_policy(2, on=date(2025, 6, 1))  # cover starts before the treaties' year: no treaty
    # 240,000 to the quota share; of 560,000 the surplus takes 200,000 (2 lines of 100,000); of the 360,000 kept,
    # 260,000 is beyond the retention of 100,000
    (beyond,) = [f for f in referred.findings if f["code"] == "beyond-reinsurance-capacity"]
    assert referred.status == "referred" and Decimal(str(beyond["data"]["beyond_capacity"])) == Decimal("260000.00")
    assert uncovered.status == "in_force"

    day = date(2026, 1, 5)

    def accept() -> Any:
        return policies.decide(services.app, ctx("su-1", "senior_underwriter"), referred.id, "accept", decided_on=day)

    def place(amount: str, premium: str) -> None:
        reinsurance.place_facultative(
            services.app, team(), referred.id, day, reinsurer="Lloyd's 2987", sum_insured=amount, premium=premium
        )

    stored = desk.stored()
    with pytest.raises(DomainError) as waiting:
        accept()
    assert waiting.value.code == "facultative-placement-required" and desk.stored() == stored
    place("200000", "800")
    with pytest.raises(DomainError) as short:
        accept()  # 200,000 of 260,000 placed
    assert short.value.code == "facultative-placement-required"
    with pytest.raises(InvalidValue) as over:
        place("600000.01", "1")  # with the 200,000: more than the sum insured
    assert over.value.field == "sum_insured"
    place("60000", "240")
    accept()
    if desk.policy(referred.id).status != "in_force":
        servicing.pay_premium(
            services.app, ctx(), referred.id, day, amount=desk.policy(referred.id).installment, reference="b"
        )
    assert desk.policy(referred.id).status == "in_force"
    services.read_side.catch_up()

    row = CESSIONS.one(services.read_side, str(referred.id), None)
    assert row is not None
    shown = row.model_dump()
    assert (shown["ceded_sum_insured"], shown["retained"], shown["beyond_capacity"]) == (
        Decimal("700000.00"),
        Decimal("100000.00"),
        Decimal("0.00"),
    )
    assert [(t["kind"], Decimal(t["sum_insured"]), Decimal(t["premium"])) for t in shown["treaties"][2:]] == [
        ("facultative", Decimal("200000"), Decimal("800")),
        ("facultative", Decimal("60000"), Decimal("240")),
    ]
    assert str(small) in shown["treaty_ids"]
    assert page(services, CESSIONS, [CESSIONS.table.c.beyond_capacity > 0]) == []
    other = CESSIONS.one(services.read_side, str(uncovered.id), None)
    assert other is not None
    assert (other.model_dump()["treaties"], other.model_dump()["retained"]) == ([], Decimal("800000.00"))


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"reinsurers": [{"reinsurer": "China Re", "share_pct": "90"}]}, "reinsurers", "invalid-input"),
        ({"terms": {"ceded_pct": "30", "retention": "1000"}}, "retention", "invalid-input"),
        ({"terms": {"ceded_pct": "100.001"}}, "ceded_pct", "invalid-input"),
        ({"lines": [], "product_codes": []}, "lines", "invalid-input"),
        ({"effective_to": date(2025, 12, 31)}, "effective_to", "invalid-input"),
        ({"product_codes": ["no_such_product"]}, "product_codes[0]", "unknown-product"),
    ],
)
def test_a_refused_treaty_records_nothing(services: Any, change: dict[str, Any], field: str, code: str) -> None:
    desk = ClaimDesk(services)
    stored = desk.stored()
    with pytest.raises(InvalidValue) as refused:
        conclude(services, {**QUOTA_SHARE, **change})
    assert (refused.value.field, refused.value.code) == (field, code) and desk.stored() == stored


def test_a_settlement_from_a_reinsurer_not_on_the_treaty_records_nothing(services: Any) -> None:
    desk = ClaimDesk(services)
    treaty = conclude(services, EXCESS)
    stored = desk.stored()
    with pytest.raises(InvalidValue) as refused:
        reinsurance.receive_recovery(
            services.app, team(), treaty, date(2026, 3, 1), reinsurer="China Re", amount="10", reference="X"
        )
    assert refused.value.field == "reinsurer" and desk.stored() == stored
    services.read_side.catch_up()
    with services.read_side.engine.connect() as conn:
        assert conn.execute(select(reinsurance_entries)).all() == []


def test_a_payment_whose_ledger_lines_failed_half_way_is_applied_again_as_a_rebuild_applies_it(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault after a claim payment's first ledger lines were written (in the batch, never committed): the event is
    applied again in a batch of its own, and its lines are numbered as a rebuild numbers them."""
    original = ReinsuranceProjection._entry
    failed: list[int] = []

    def entry(self: Any, batch: Any, position: int, *args: Any, **where: Any) -> None:
        original(self, batch, position, *args, **where)
        if args[1] == "recovery" and not failed:
            failed.append(position)
            raise RuntimeError("a fault after the payment's first recovery line")

    monkeypatch.setattr(ReinsuranceProjection, "_entry", entry)
    carry_reinsurance_through(services)
    services.read_side.catch_up()
    assert failed and services.read_side.faults() == {}
    live = every_row(services.read_side)
    lines = [e for e in live["reinsurance_entries"] if e["position"] == failed[0]]
    assert [e["n"] for e in lines] == list(range(1, len(lines) + 1)) and len(lines) >= 3  # the claim, its recoveries
    services.read_side.rebuild(["reinsurance"])
    assert every_row(services.read_side) == live
