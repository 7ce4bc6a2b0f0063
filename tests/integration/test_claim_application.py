"""The claim application layer on SQLite and PostgreSQL (no HTTP): who may claim, the automatic fraud
indicators from the policy and the claims register, payments reaching the policy in the same
transaction, the claims record in underwriting, time recorded before a late command, and two clients
at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.app import ConcurrentModification
from application.commands import claims as claims
from application.commands import policies as policies
from application.commands import policy_servicing as servicing
from domain import clock
from domain.claim.aggregate import Claim
from domain.errors import DomainError, InvalidValue
from domain.policy.aggregate import Policy
from projections.claims import claims as claims_table
from projections.queries import one
from tests.builders.claims import ClaimDesk, agent, handler, manager

D = date


@pytest.fixture(autouse=True)
def today_is_the_twentieth_of_november_2026() -> Iterator[None]:
    with clock.using(clock.SimulatedClock(datetime(2026, 11, 20, 2, tzinfo=UTC))):
        yield


@pytest.fixture
def desk(services: Any) -> ClaimDesk:
    return ClaimDesk(services)


def indicators(claim: Claim) -> list[str]:
    return [flag["indicator"] for flag in claim.fraud_flags]


def test_only_the_insured_a_named_beneficiary_or_the_applicant_may_claim(desk: ClaimDesk) -> None:
    policy = desk.home_policy(1)
    stranger = desk.person(2)
    before = desk.stored()
    for role, who in (("insured", stranger), ("beneficiary", policy.insured_id), ("applicant", stranger)):
        with pytest.raises(InvalidValue) as refused:
            claims.report(
                desk.app,
                handler(),
                policy_id=policy.id,
                claimant_id=who,
                claimant_role=role,
                loss_date=D(2026, 3, 1),
                cause="fire",
                description="x",
                estimated_amount="1000",
                initial_reserve="1000",
                reported_on=D(2026, 3, 2),
            )
        assert refused.value.field == "claimant_id"
    with pytest.raises(InvalidValue) as unknown:
        claims.report(
            desk.app,
            handler(),
            policy_id=UUID(int=7),
            claimant_id=stranger,
            claimant_role="insured",
            loss_date=D(2026, 3, 1),
            cause="fire",
            description="x",
            estimated_amount="1000",
            initial_reserve="1000",
            reported_on=D(2026, 3, 2),
        )
    assert unknown.value.field == "policy_id"
    assert desk.stored() == before
    claim = desk.report("ok", policy, loss=D(2026, 3, 1), reported=D(2026, 3, 2))
    assert claim.claimant_id == str(policy.insured_id)
    assert claim.required_documents[:4] == ["policy_contract", "insurance_certificate", "id_proof", "claim_form"]


def test_the_automatic_fraud_indicators_are_flagged_on_report(desk: ClaimDesk) -> None:
    policy = desk.home_policy(3)
    early = desk.report("early", policy, loss=D(2026, 1, 20), reported=D(2026, 1, 21))
    assert indicators(early) == ["loss-soon-after-inception"]
    before = desk.report("before", policy, loss=D(2026, 1, 3), reported=D(2026, 1, 21))
    assert indicators(before) == ["loss-before-inception"]
    # two other claims with their loss within the year before: the third is frequent; 790,000 is
    # at least 90 % of the 800,000 remaining
    third = desk.report("third", policy, loss=D(2026, 6, 1), reported=D(2026, 6, 2), estimate="790000")
    assert indicators(third) == ["frequent-claims", "claim-near-sum-insured"]
    quiet = desk.report("quiet", desk.home_policy(4), loss=D(2026, 6, 1), reported=D(2026, 6, 2))
    assert indicators(quiet) == []


def test_a_loss_soon_after_reinstatement_is_flagged(desk: ClaimDesk) -> None:
    policy = desk.home_policy(
        5,
        mode="monthly",
        product_code="medical",
        relationship="self",
        sum_insured="1000000",
        declared_property_value=None,
        beneficiaries=[{"name": "王芳", "share": "100"}],
    )
    # installment 2 (due 2026-02-05) is never paid: lapsed after 60 days of grace
    lapsed = D(2026, 4, 10)
    servicing.request_reinstatement(desk.app, agent(), policy.id, lapsed)
    servicing.decide_reinstatement(desk.app, agent(), policy.id, lapsed, agree=True)
    arrears = sum(
        (i["amount"] for i in desk.policy(policy.id).schedule if i["paid_on"] is None and i["due_date"] <= lapsed),
        Decimal(0),
    )
    servicing.pay_arrears(desk.app, agent(), policy.id, lapsed, amount=arrears)
    assert desk.policy(policy.id).status == "in_force"
    claim = desk.report(
        "after", desk.policy(policy.id), loss=D(2026, 4, 25), reported=D(2026, 4, 26), cause="illness_hospitalisation"
    )
    assert "loss-soon-after-reinstatement" in indicators(claim)


def test_a_payment_reaches_the_policy_in_the_same_transaction_and_caps_the_next_claim(desk: ClaimDesk) -> None:
    policy = desk.home_policy(6, sum_insured="100000", declared_property_value="200000")
    paid = desk.to_paid("first", policy, D(2026, 3, 1), D(2026, 3, 2), assessed="80500", who=manager())
    after = desk.policy(policy.id)
    assert after.remaining_sum_insured == Decimal("20000.00")
    payment = list(desk.app.events.get(policy.id))[-1]
    assert type(payment).__name__ == "ClaimPaymentRecorded"
    claim_meta = list(desk.app.events.get(paid.id))[-1].__dict__["meta"]
    assert payment.__dict__["meta"]["command_id"] == claim_meta["command_id"]  # one command, one transaction

    # the second loss in the same period can take only what remains
    desk.report("second", policy, loss=D(2026, 5, 1), reported=D(2026, 5, 2))
    desk.documents("second", D(2026, 5, 2))
    desk.act("second", "accept", D(2026, 5, 2))
    desk.assess("second", D(2026, 5, 3), assessed="50000", claimed="50000")
    second = desk.approve("second", D(2026, 5, 4))  # 20,000: within the handler's authority
    assert second.payable == Decimal("20000.00")
    desk.pay("second", D(2026, 5, 5))
    assert desk.policy(policy.id).remaining_sum_insured == Decimal("0.00")


def test_the_claims_record_reaches_underwriting(desk: ClaimDesk) -> None:
    policy = desk.home_policy(7)
    desk.report("a", policy, loss=D(2026, 1, 20), reported=D(2026, 1, 21))  # flagged: soon after inception
    desk.services.read_side.catch_up()
    history = desk.app.underwriting_history(str(policy.insured_id), "property")
    assert (history.claims_last_3_years, history.fraud_flags) == (1, 1)
    again = policies.apply_for_policy(
        desk.app,
        agent(),
        applicant_id=policy.insured_id,
        insured_id=policy.insured_id,
        relationship="owner",
        product_code="home_property",
        sum_insured="100000",
        term_months=12,
        premium_mode="annual",
        disclosures={q.id: not q.adverse for q in desk.app.catalogue.get("home_property").disclosure_questions},
        declared_property_value="1000000",
        applied_on=D(2026, 2, 1),
    )
    referred = desk.policy(again.id)
    assert referred.status == "referred"
    assert "fraud-flag" in [f["code"] for f in referred.findings if f["outcome"] == "refer"]


def test_a_late_command_first_records_the_breach_time_caused(desk: ClaimDesk) -> None:
    policy = desk.home_policy(8)
    desk.report("late", policy, loss=D(2026, 3, 1), reported=D(2026, 3, 2))
    desk.documents("late", D(2026, 3, 2))
    desk.act("late", "accept", D(2026, 3, 2))
    desk.act("late", "reject", D(2026, 4, 10), reasons=["arson"], decided_by="hana")
    events = list(desk.app.events.get(desk.ids["late"]))
    assert [type(e).__name__ for e in events[-2:]] == ["ClockBreached", "Rejected"]
    assert events[-2].__dict__["meta"]["actor_id"] == "system"
    with pytest.raises(InvalidValue):
        desk.act("late", "send_rejection_notice", D(2026, 12, 1))  # after today
    with pytest.raises(DomainError) as refused:
        desk.act("late", "close", D(2026, 4, 11))
    assert refused.value.code == "rejection-notice-not-sent"


def test_two_clients_at_once_lose_nothing(desk: ClaimDesk) -> None:
    policy = desk.home_policy(9)
    desk.report("busy", policy, loss=D(2026, 3, 1), reported=D(2026, 3, 2))
    codes = desk.claim("busy").missing_documents[:6]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(codes))

    def receive(code: str) -> None:
        barrier.wait()
        try:
            claims.receive_document(desk.app, handler(), desk.ids["busy"], D(2026, 3, 3), code=code)
            outcomes.append(code)
        except ConcurrentModification:
            pass

    threads = [threading.Thread(target=receive, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claim = desk.claim("busy")
    assert outcomes and sorted(claim.documents_received) == sorted(outcomes)
    assert claim.version == 1 + len(outcomes)
    desk.services.read_side.catch_up()
    with desk.services.read_side.engine.connect() as conn:
        row = one(conn, claims_table, str(claim.id), None)
    assert row is not None and (row["version"], row["documents_received"]) == (claim.version, len(outcomes))
    assert desk.app.load(Policy, policy.id).version == policy.version  # a document does not touch the policy
