"""Claim rules (SPEC §6; guide ch. 7; Art. 22–26): one test per rule, every clock on its boundary days;
a refused command records no event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.utils import get_topic, resolve_topic

from application.app import DateAsISO
from domain.claim.aggregate import Claim
from domain.claim.events import EVENTS
from domain.errors import DomainError, InsufficientAuthority, InvalidTransition, InvalidValue
from tests.builders.claim_aggregates import (
    DAYS,
    DOCS,
    LOSS,
    R,
    accepted,
    agreed,
    approved,
    assessed,
    cover,
    day,
    details,
    items,
    last,
    names,
    refused,
    rejected,
    reported,
)
from tests.builders.common import collected

# -- report (7.1) and limitation (Art. 26) ------------------------------------------------------------


def test_a_report_records_the_claim_and_starts_its_clocks() -> None:
    claim = Claim.report(**details())

    event = last(claim)
    assert isinstance(event, Claim.Reported)
    assert claim.status == "reported" and claim.reported_on == R and claim.known_on == LOSS
    assert claim.claim_number == f"C2024{claim.id.hex[:10].upper()}"
    assert claim.reserve == Decimal("20000.00") and claim.estimated_amount == Decimal("20000.00")
    assert claim.required_documents == DOCS and claim.missing_documents == DOCS
    # two years from knowing of the loss (2024-02-20) end on 2026-02-20, in the Spring Festival holiday
    # (2026-02-15 … 02-23): the last day moves to the next working day, 2026-02-24 (Art. 203)
    assert claim.limitation_last_day == date(2026, 2, 24)
    assert claim.clocks_on(R).decision.due_on == day(30)


@pytest.mark.parametrize("line, last_day", [("property", date(2024, 3, 1)), ("life", date(2027, 3, 1))])
def test_a_claim_is_time_barred_the_day_after_2_years_5_for_life(line: str, last_day: date) -> None:
    known = date(2022, 3, 1)
    Claim.report(**details(loss_date=date(2022, 2, 1), known_on=known, reported_on=last_day, line=line))

    with pytest.raises(DomainError) as raised:
        Claim.report(**details(loss_date=date(2022, 2, 1), known_on=known, reported_on=last_day + DAYS, line=line))

    assert raised.value.code == "claim-time-barred"
    assert raised.value.details["last_day"] == last_day.isoformat()


def test_the_limitation_runs_from_the_loss_date_when_no_later_knowledge_is_given() -> None:
    Claim.report(**details(loss_date=date(2022, 3, 1), reported_on=date(2024, 3, 1)))

    with pytest.raises(DomainError, match="time-barred"):
        Claim.report(**details(loss_date=date(2022, 3, 1), reported_on=date(2024, 3, 2)))


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(loss_date=day(1)), "loss_date"),
        (dict(known_on=LOSS - DAYS), "known_on"),
        (dict(known_on=day(1)), "known_on"),
        (dict(claimant_role="neighbour"), "claimant_role"),
        (dict(line="marine"), "line"),
        (dict(estimated_amount="-1"), "estimated_amount"),
        (dict(initial_reserve="-0.01"), "initial_reserve"),
        (dict(required_documents=[]), "required_documents"),
        (dict(cause=""), "cause"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        Claim.report(**details(**changes))

    assert raised.value.field == field


# -- documents (7.1; Art. 22) ----------------------------------------------------------------------------


def test_documents_are_received_one_by_one() -> None:
    claim = reported()

    claim.receive_document("id_proof", day(1))
    claim.receive_document("bank_statement", day(2))

    first, extra = collected(claim)
    assert first.required and first.missing_after == ["claim_form", "loss_list"]
    assert not extra.required
    assert claim.missing_documents == ["claim_form", "loss_list"] and claim.status == "reported"
    refused(claim, lambda: claim.receive_document("id_proof", day(3)), DomainError, "document-already-received")


def test_one_notice_lists_all_missing_documents() -> None:
    claim = reported()
    claim.receive_document("id_proof", day(1))

    claim.notify_missing_documents(day(2))

    event = last(claim)
    assert isinstance(event, Claim.MissingDocumentsNotified)
    assert event.missing == ["claim_form", "loss_list"] and event.notice_no == 1
    assert claim.status == "documents_pending" and not claim.second_notice_breach


def test_a_second_notice_is_refused_without_a_reason() -> None:
    claim = reported()
    claim.notify_missing_documents(day(1))
    claim.collect_events()

    refused(claim, lambda: claim.notify_missing_documents(day(2)), DomainError, "missing-documents-already-notified")


def test_a_second_notice_with_a_reason_is_recorded_as_a_compliance_breach() -> None:
    claim = reported()
    claim.notify_missing_documents(day(1))
    claim.receive_document("claim_form", day(2))
    claim.collect_events()

    claim.notify_missing_documents(day(3), breach_reason="the first notice was lost in the post")

    breach, notice = claim.collect_events()
    assert isinstance(breach, Claim.SecondMissingDocumentsNoticeBreach) and breach.notice_no == 2
    assert isinstance(notice, Claim.MissingDocumentsNotified) and notice.missing == ["id_proof", "loss_list"]
    assert claim.second_notice_breach and claim.notice_breaches[0]["breach_reason"].startswith("the first")


def test_no_notice_when_nothing_is_missing() -> None:
    claim = reported()
    for code in DOCS:
        claim.receive_document(code, day(1))
    claim.collect_events()

    refused(claim, lambda: claim.notify_missing_documents(day(2)), DomainError, "no-documents-missing")


def test_a_claim_is_accepted_only_with_every_document() -> None:
    claim = reported()
    claim.receive_document("claim_form", day(1))
    claim.collect_events()

    error = refused(claim, lambda: claim.accept(day(1)), DomainError, "documents-incomplete")
    assert error.details["missing"] == ["id_proof", "loss_list"]

    claim.receive_document("id_proof", day(2))
    claim.receive_document("loss_list", day(2))
    claim.accept(day(2))
    assert claim.status == "accepted" and claim.accepted_on == day(2)
    claim.collect_events()
    refused(claim, lambda: claim.receive_document("late", day(3)), InvalidTransition, "invalid-claim-transition")


# -- the decision clock (Art. 23; SPC II Art. 15) ----------------------------------------------------------


def test_a_decision_on_day_30_is_on_time_and_day_31_is_a_breach() -> None:
    claim = accepted()
    claim.advance_time(day(30))
    assert names(claim) == []
    assert not claim.clocks_on(day(30)).decision.breached

    claim.advance_time(day(31))

    event = last(claim)
    assert isinstance(event, Claim.ClockBreached)
    assert (event.clock, event.due_on, event.on, event.round) == ("decision", day(30), day(31), 1)
    assert claim.clocks_on(day(31)).decision.breached and claim.clock_breaches[0]["clock"] == "decision"


def test_the_days_from_the_notice_to_the_last_document_move_the_decision_due_date() -> None:
    claim = reported()
    claim.receive_document("claim_form", day(1))
    claim.notify_missing_documents(day(5))
    claim.receive_document("id_proof", day(9))
    claim.receive_document("loss_list", day(12))
    claim.accept(day(12))
    claim.collect_events()

    clocks = claim.clocks_on(day(37))
    assert clocks.decision.paused_days == 7 and clocks.decision.due_on == day(37)
    assert clocks.decision.days_used == 30 and not clocks.decision.breached
    claim.advance_time(day(37))
    assert names(claim) == []

    claim.advance_time(day(38))

    event = last(claim)
    assert (event.clock, event.due_on, event.on) == ("decision", day(37), day(38))
    assert claim.clocks_on(day(38)).decision.breached


def test_a_decision_on_the_moved_due_date_is_on_time() -> None:
    claim = reported()
    claim.notify_missing_documents(day(5))
    for code in DOCS:
        claim.receive_document(code, day(12))
    claim.accept(day(12))
    claim.advance_time(day(37))

    claim.reject(["not covered"], "mgr-1", day(37))

    decision = claim.clocks_on(day(50)).decision
    assert decision.met_on == day(37) and decision.on_time and not decision.breached
    assert "ClockBreached" not in names(claim)


def test_while_documents_are_missing_the_decision_clock_stands_still() -> None:
    claim = reported()
    claim.notify_missing_documents(day(5))
    claim.collect_events()

    claim.advance_time(day(300))

    assert names(claim) == [] and claim.next_due_date() is None
    clocks = claim.clocks_on(day(300))
    assert clocks.decision.paused and clocks.decision.days_used == 5 and not clocks.decision.breached


def test_after_the_last_document_the_breach_is_due_on_the_moved_day() -> None:
    claim = reported()
    claim.notify_missing_documents(day(5))
    for code in DOCS:
        claim.receive_document(code, day(12))

    assert claim.next_due_date() == day(38)


def test_a_dated_command_waits_for_time_to_be_advanced() -> None:
    claim = accepted()

    refused(claim, lambda: claim.reject(["late"], "mgr-1", day(31)), DomainError, "time-not-advanced")
    refused(
        claim, lambda: claim.record_investigation("interview", "i", "x", day(0)), DomainError, "date-before-last-event"
    )


def test_advancing_time_is_idempotent_and_records_breaches_in_date_order() -> None:
    claim = accepted()

    claim.advance_time(day(100))
    claim.advance_time(day(100))

    events = collected(claim)
    assert [(e.clock, e.on) for e in events] == [("decision", day(31)), ("advance", day(61))]
    assert claim.next_due_date() is None and claim.business_date == day(61)


# -- investigation and fraud flags (7.2 (1); ch. 9) ---------------------------------------------------


def test_investigation_activities_are_recorded_with_the_investigator() -> None:
    claim = accepted()

    claim.record_investigation("site_survey", "inv-1", "the stove", day(2))
    claim.record_investigation("interview", "inv-1", "the neighbour saw smoke", day(3))

    assert claim.status == "investigating" and len(claim.investigations) == 2
    assert claim.investigations[1] == {
        "on": day(3),
        "activity": "interview",
        "investigator_id": "inv-1",
        "findings": "the neighbour saw smoke",
    }
    claim.collect_events()
    refused(claim, lambda: claim.record_investigation("guessing", "inv-1", "x", day(3)), InvalidValue)


def test_investigation_needs_an_accepted_claim() -> None:
    claim = reported()

    refused(claim, lambda: claim.record_investigation("interview", "inv-1", "x", day(1)), InvalidTransition)


def test_a_fraud_flag_is_raised_once_per_indicator() -> None:
    claim = reported()

    claim.raise_fraud_flag("loss-soon-after-inception", "loss 10 days after inception", day(0))

    assert claim.fraud_flags == [
        {"on": day(0), "indicator": "loss-soon-after-inception", "detail": "loss 10 days after inception"}
    ]
    claim.collect_events()
    refused(
        claim,
        lambda: claim.raise_fraud_flag("loss-soon-after-inception", "again", day(1)),
        DomainError,
        "fraud-flag-already-raised",
    )


# -- loss assessment (7.2 (2)–(3)) --------------------------------------------------------------------------


def test_an_assessment_totals_the_items() -> None:
    claim = accepted()

    claim.assess(
        [
            {"description": "stove", "claimed": "5000", "assessed": "4000"},
            {"description": "walls", "claimed": "3000", "assessed": "2500"},
        ],
        "assessor-1",
        day(3),
    )

    event = last(claim)
    assert (event.total_claimed, event.total_assessed, event.assessment_no) == (
        Decimal("8000.00"),
        Decimal("6500.00"),
        1,
    )
    assert claim.status == "assessed"


def test_the_claimant_is_told_then_agrees_which_starts_the_payment_clock() -> None:
    claim = assessed()
    refused(claim, lambda: claim.notify_assessment(day(4)), DomainError, "assessment-already-notified")

    claim.agree_assessment(day(5))

    event = last(claim)
    assert isinstance(event, Claim.AssessmentAgreed) and event.amount == Decimal("15000.00")
    payment = claim.clocks_on(day(5)).payment
    assert payment is not None and payment.due_on == day(15)


def test_agreement_needs_the_claimant_told_first() -> None:
    claim = accepted()
    claim.assess(items(), "assessor-1", day(3))
    claim.collect_events()

    refused(claim, lambda: claim.agree_assessment(day(4)), DomainError, "assessment-not-notified")


def test_a_dispute_leads_to_reassessment() -> None:
    claim = assessed()
    claim.dispute_assessment("the cabinets are missing", day(4))
    claim.collect_events()
    refused(claim, lambda: claim.agree_assessment(day(4)), DomainError, "assessment-disputed")

    claim.assess(items("17000"), "assessor-2", day(6))
    claim.notify_assessment(day(6))
    claim.agree_assessment(day(7))

    assert claim.assessment is not None and claim.assessment["no"] == 2
    assert claim.assessment["total_assessed"] == Decimal("17000.00") and claim.amount_agreed


def test_an_agreed_amount_is_not_reassessed() -> None:
    claim = agreed()

    refused(claim, lambda: claim.assess(items("1"), "assessor-1", day(6)), DomainError, "assessment-already-agreed")
    refused(
        claim, lambda: claim.dispute_assessment("changed my mind", day(6)), DomainError, "assessment-already-agreed"
    )


# -- adjudication (7.3) -------------------------------------------------------------------------------------


def test_approval_records_the_payable_and_its_computation() -> None:
    claim = agreed("15000")

    claim.approve(cover=cover(), deciding_role="claims_handler", decided_by="h-1", on=day(6))

    event = last(claim)
    assert event.payable == Decimal("14500.00") and event.computation["deductible"] == Decimal("500.00")
    assert claim.status == "approved" and claim.outstanding == Decimal("14500.00")
    decision = claim.clocks_on(day(6)).decision
    assert decision.met_on == day(6) and decision.on_time


def test_the_settlement_shows_the_payable_before_approval_without_recording() -> None:
    claim = agreed("15000")

    computation = claim.settlement(cover(in_grace=True, premium_owed=Decimal("300.00")))

    assert computation["payable"] == Decimal("14200.00") and computation["premium_owed"] == Decimal("300.00")
    assert claim.pending_events == [] and claim.status == "assessed"


def test_the_decision_does_not_wait_for_agreement_but_the_payment_does() -> None:
    # Art. 23: the decision (核定) is the insurer's; the claimant's agreement starts the payment clock.
    claim = assessed()

    claim.approve(cover=cover(), deciding_role="claims_manager", decided_by="m", on=day(6))

    assert claim.status == "approved" and claim.clocks_on(day(6)).decision.met_on == day(6)
    assert claim.clocks_on(day(6)).payment is None
    claim.collect_events()
    refused(claim, lambda: claim.pay("100", day(7), "b"), DomainError, "amount-not-agreed")
    claim.agree_assessment(day(8))
    assert claim.clocks_on(day(8)).payment is not None
    claim.pay("14500", day(9), "b")
    assert claim.status == "paid"


def test_a_disputed_assessment_is_not_decided_on() -> None:
    claim = assessed()
    claim.dispute_assessment("too low", day(4))
    claim.collect_events()

    refused(
        claim,
        lambda: claim.approve(cover=cover(), deciding_role="claims_manager", decided_by="m", on=day(6)),
        DomainError,
        "assessment-disputed",
    )


@pytest.mark.parametrize(
    "changes, exclusion, reason",
    [
        (dict(status="lapsed", in_force=False), None, "not-in-force"),
        (dict(in_waiting_period=True), None, "waiting-period"),
        (dict(covered_causes=("flood",)), None, "cause-not-covered"),
        ({}, "wear_and_tear", "excluded"),
        (dict(rescinded=True, no_liability_before=day(0)), None, "rescinded"),
    ],
)
def test_approval_is_refused_when_the_policy_did_not_cover_the_loss_date(
    changes: dict[str, Any], exclusion: str | None, reason: str
) -> None:
    claim = agreed()

    error = refused(
        claim,
        lambda: claim.approve(
            cover=cover(**changes),
            deciding_role="claims_manager",
            decided_by="m",
            on=day(6),
            exclusion_applies=exclusion,
        ),
        DomainError,
        "not-covered-on-loss-date",
    )
    assert error.details["reason"] == reason


@pytest.mark.parametrize(
    "changes, exclusion",
    [(dict(on=LOSS + DAYS), None), (dict(policy_number="OTHER"), None), ({}, "not-a-listed-exclusion")],
)
def test_approval_needs_the_policy_on_the_loss_date_and_a_listed_exclusion(
    changes: dict[str, Any], exclusion: str | None
) -> None:
    claim = agreed()

    refused(
        claim,
        lambda: claim.approve(
            cover=cover(**changes),
            deciding_role="claims_manager",
            decided_by="m",
            on=day(6),
            exclusion_applies=exclusion,
        ),
        InvalidValue,
    )


def test_a_loss_in_grace_is_paid_less_the_premium_owed() -> None:
    claim = approved("15000", in_grace=True, premium_owed=Decimal("300.00"))

    assert claim.payable == Decimal("14200.00")


def test_a_claims_handler_may_approve_up_to_50000() -> None:
    claim = agreed("50500")
    cover_ = cover(deductible=Decimal("500.00"))
    claim.approve(cover=cover_, deciding_role="claims_handler", decided_by="h", on=day(6))
    assert claim.payable == Decimal("50000.00")

    larger = agreed("50500.01")
    refused(
        larger,
        lambda: larger.approve(cover=cover_, deciding_role="claims_handler", decided_by="h", on=day(6)),
        InsufficientAuthority,
    )
    larger.approve(cover=cover_, deciding_role="claims_manager", decided_by="m", on=day(6))


def test_a_rejection_notice_is_due_within_3_days() -> None:
    claim = rejected(on=10)
    claim.advance_time(day(13))
    assert names(claim) == []

    claim.send_rejection_notice(day(13))

    event = last(claim)
    assert event.on_time and event.days_after_decision == 3 and event.reasons == ["cause not covered"]
    notice = claim.clocks_on(day(13)).rejection_notice
    assert notice is not None and notice.met_on == day(13) and not notice.breached


def test_a_rejection_notice_on_day_4_is_late_and_the_clock_shows_the_breach() -> None:
    claim = rejected(on=10)

    claim.advance_time(day(14))
    claim.send_rejection_notice(day(14))

    breach, notice = collected(claim)
    assert (breach.clock, breach.due_on, breach.on) == ("rejection_notice", day(13), day(14))
    assert not notice.on_time
    reading = claim.clocks_on(day(20)).rejection_notice
    assert reading is not None and reading.breached and reading.on_time is False


def test_a_claim_can_be_rejected_before_acceptance_but_not_twice() -> None:
    claim = reported()
    claim.reject(["loss before inception"], "mgr-1", day(1))
    claim.collect_events()

    refused(claim, lambda: claim.reject(["again"], "mgr-1", day(1)), InvalidTransition)
    refused(
        claim,
        lambda: claim.approve(cover=cover(), deciding_role="claims_manager", decided_by="m", on=day(2)),
        InvalidTransition,
    )


# -- money -------------------------------------------------------------------------------------------------


def test_a_final_payment_needs_approval() -> None:
    claim = agreed()

    refused(claim, lambda: claim.pay("100", day(6), "bank-1"), InvalidTransition, "not-approved")


def test_a_final_payment_is_at_most_what_is_approved_and_unpaid() -> None:
    claim = approved("15000")

    refused(claim, lambda: claim.pay("14500.01", day(7), "bank-1"), DomainError, "exceeds-payable")
    claim.pay("10000", day(7), "bank-1")
    assert claim.status == "approved" and claim.outstanding == Decimal("4500.00")
    claim.pay("4500", day(8), "bank-2")

    assert claim.status == "paid" and claim.paid_total == Decimal("14500.00")
    assert claim.reserve == Decimal("5500.00")


def test_payment_10_days_after_agreement_is_on_time_and_day_11_a_breach() -> None:
    on_time = approved("15000")
    on_time.advance_time(day(15))
    on_time.pay("14500", day(15), "bank-1")
    assert "ClockBreached" not in names(on_time)
    payment = on_time.clocks_on(day(15)).payment
    assert payment is not None and payment.on_time

    late = approved("15000")
    late.advance_time(day(16))
    event = last(late)
    assert (event.clock, event.due_on, event.on) == ("payment", day(15), day(16))


def test_payments_reduce_the_reserve_but_never_below_0() -> None:
    claim = approved("15000")
    claim.set_reserve("1000", "most is settled", day(7))

    claim.pay("14500", day(7), "bank-1")

    assert claim.reserve == Decimal("0.00") and last(claim).reserve_after == Decimal("0.00")


def test_the_reserve_is_set_never_negative_and_must_change() -> None:
    claim = reported()

    refused(claim, lambda: claim.set_reserve("-1", "x", day(1)), InvalidValue)
    refused(claim, lambda: claim.set_reserve("20000", "x", day(1)), DomainError, "reserve-unchanged")
    claim.set_reserve("25000", "repairs dearer", day(1))

    event = last(claim)
    assert (event.amount, event.previous) == (Decimal("25000.00"), Decimal("20000.00"))


def test_an_advance_is_paid_while_the_amount_is_undetermined_up_to_the_determinable_part() -> None:
    claim = accepted()

    claim.pay(
        "3000", day(20), "bank-1", "advance", paying_role="claims_manager", determinable_amount="5000", cover=cover()
    )

    assert claim.status == "advance_paid" and claim.advance_total == Decimal("3000.00")
    claim.collect_events()
    refused(
        claim,
        lambda: claim.pay(
            "2000.01",
            day(21),
            "bank-2",
            "advance",
            paying_role="claims_manager",
            determinable_amount="5000",
            cover=cover(),
        ),
        DomainError,
        "exceeds-determinable-amount",
    )
    claim.record_investigation("records_review", "inv-1", "repair quotes", day(22))
    assert claim.status == "investigating"
    advance = claim.clocks_on(day(90)).advance
    assert advance.met_on == day(20) and advance.on_time


@pytest.mark.parametrize(
    "given, field",
    [
        (dict(determinable_amount="5000"), "cover"),
        (dict(cover=cover()), "determinable_amount"),
        (dict(cover=cover(), determinable_amount="100000.01"), "determinable_amount"),  # beyond the remaining SI
    ],
)
def test_an_advance_needs_the_cover_and_a_determinable_amount_within_the_sum_insured(
    given: dict[str, Any], field: str
) -> None:
    claim = accepted()

    error = refused(
        claim, lambda: claim.pay("100", day(2), "b", "advance", paying_role="claims_manager", **given), InvalidValue
    )
    assert error.field == field


def test_only_an_advance_has_a_determinable_amount() -> None:
    claim = approved()

    refused(claim, lambda: claim.pay("100", day(7), "b", determinable_amount="100"), InvalidValue)


def test_an_advance_needs_cover_on_the_loss_date() -> None:
    claim = accepted()

    refused(
        claim,
        lambda: claim.pay(
            "100",
            day(2),
            "b",
            "advance",
            paying_role="claims_manager",
            determinable_amount="500",
            cover=cover(in_force=False, status="lapsed"),
        ),
        DomainError,
        "not-covered-on-loss-date",
    )


def test_no_advance_once_the_amount_is_agreed() -> None:
    claim = agreed()

    refused(
        claim,
        lambda: claim.pay(
            "100", day(6), "b", "advance", paying_role="claims_manager", determinable_amount="500", cover=cover()
        ),
        DomainError,
        "amount-determined",
    )


def test_an_advance_is_due_60_days_after_receipt() -> None:
    claim = accepted()
    claim.advance_time(day(60))
    assert [e.clock for e in collected(claim)] == ["decision"]

    claim.advance_time(day(61))

    assert [(e.clock, e.due_on) for e in collected(claim)] == [("advance", day(60))]


def test_approval_after_an_advance_pays_the_rest_and_counts_the_advance_once() -> None:
    # The policy's remaining sum insured already counts the advance (the application reports it).
    claim = accepted()
    claim.pay(
        "10000", day(2), "bank-1", "advance", paying_role="claims_manager", determinable_amount="10000", cover=cover()
    )
    claim.assess(items("120000", "120000"), "assessor-1", day(3))
    claim.notify_assessment(day(3))
    claim.agree_assessment(day(4))

    claim.approve(
        cover=cover(remaining_sum_insured=Decimal("90000.00")),
        deciding_role="claims_manager",
        decided_by="m",
        on=day(5),
    )

    computation = last(claim).computation
    assert computation["remaining_sum_insured"] == Decimal("100000.00")
    assert computation["already_paid"] == Decimal("10000.00") and claim.payable == Decimal("90000.00")
    claim.pay("90000", day(6), "bank-2")
    assert claim.paid_total == Decimal("100000.00")


def test_a_handler_needs_authority_for_the_claims_total_including_advances() -> None:
    claim = accepted()
    claim.pay(
        "40000", day(2), "bank-1", "advance", paying_role="claims_manager", determinable_amount="40000", cover=cover()
    )
    claim.assess(items("60000", "60000"), "assessor-1", day(3))
    claim.notify_assessment(day(3))
    claim.agree_assessment(day(4))
    claim.collect_events()

    refused(
        claim,
        lambda: claim.approve(
            cover=cover(remaining_sum_insured=Decimal("60000.00")),
            deciding_role="claims_handler",
            decided_by="h",
            on=day(5),
        ),
        InsufficientAuthority,
    )


def test_closing_needs_the_receipt_confirmed_and_releases_the_reserve() -> None:
    claim = approved("15000")
    claim.pay("14500", day(7), "bank-1")
    claim.collect_events()
    refused(claim, lambda: claim.close(day(8)), DomainError, "receipt-not-confirmed")

    claim.confirm_receipt(day(8))
    claim.close(day(8))

    event = last(claim)
    assert isinstance(event, Claim.Closed) and event.reserve_released == Decimal("5500.00")
    assert claim.status == "closed" and claim.reserve == Decimal("0.00")


def test_a_rejected_claim_closes_only_after_its_notice() -> None:
    claim = rejected()
    refused(claim, lambda: claim.close(day(11)), DomainError, "rejection-notice-not-sent")

    claim.send_rejection_notice(day(11))
    claim.close(day(11))

    assert claim.status == "closed"


def test_an_approval_with_nothing_to_pay_closes_at_once() -> None:
    claim = approved("400")  # below the deductible of 500

    assert claim.payable == Decimal("0.00")
    payment = claim.clocks_on(day(6)).payment
    assert payment is not None and payment.met_on == day(6)
    claim.close(day(6))
    assert claim.status == "closed"


def test_a_reopened_claim_gets_a_new_decision_clock_and_keeps_its_past() -> None:
    claim = rejected(on=10)
    claim.send_rejection_notice(day(11))
    claim.close(day(11))
    before = claim.clocks_on(day(11))

    claim.reopen("new evidence of the cause", day(20))

    assert claim.status == "reopened" and claim.round == 2 and claim.rejection is None
    assert claim.clocks_on(day(11)) == before and claim.status_on(day(11)) == "closed"
    # 30 days from day 20 end on day 50, Sunday 2024-11-03: due the next working day, day 51 (Art. 203),
    # so the breach is recorded on day 52
    assert claim.clocks_on(day(20)).decision.due_on == day(51)
    claim.advance_time(day(52))
    assert [(e.clock, e.round) for e in claim.collect_events() if isinstance(e, Claim.ClockBreached)] == [
        ("decision", 2)
    ]
    claim.assess(items("15000"), "assessor-1", day(52))
    assert claim.status == "assessed"


def test_only_a_closed_claim_is_reopened() -> None:
    claim = approved()

    refused(claim, lambda: claim.reopen("why not", day(7)), InvalidTransition)


def test_the_status_on_a_past_day_is_kept() -> None:
    claim = approved("15000")

    assert [claim.status_on(day(n)) for n in (-1, 0, 1, 2, 3, 6)] == [
        None,
        "reported",
        "accepted",
        "investigating",
        "assessed",
        "approved",
    ]


# -- refusals record nothing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, command",
    [
        (reported, lambda c: c.accept(day(1))),
        (reported, lambda c: c.receive_document("", day(1))),
        (reported, lambda c: c.assess(items(), "a", day(1))),
        (reported, lambda c: c.pay("1", day(1), "b")),
        (reported, lambda c: c.confirm_receipt(day(1))),
        (reported, lambda c: c.close(day(1))),
        (reported, lambda c: c.send_rejection_notice(day(1))),
        (reported, lambda c: c.reject([], "m", day(1))),
        (reported, lambda c: c.receive_document("claim_form", day(-1))),
        (accepted, lambda c: c.notify_missing_documents(day(2))),
        (accepted, lambda c: c.notify_assessment(day(2))),
        (assessed, lambda c: c.approve(cover=cover(), deciding_role="claims_manager", decided_by="m", on=day(2))),
        (assessed, lambda c: c.pay("1", day(4), "b")),
        (agreed, lambda c: c.approve(cover=cover(), deciding_role="agent", decided_by="m", on=day(6))),
        (approved, lambda c: c.raise_fraud_flag("", "x", day(7))),
        (approved, lambda c: c.advance_time("tomorrow")),
    ],
)
def test_a_refused_command_records_nothing(build: Callable[[], Claim], command: Callable[[Claim], object]) -> None:
    claim = build()

    refused(claim, lambda: command(claim), DomainError)


# -- stored names and replay --------------------------------------------------------------------------


def test_every_claim_event_has_an_explicit_versioned_topic() -> None:
    for event_class in EVENTS:
        assert get_topic(event_class) == f"inscribe.claim.{event_class.__name__}.v1"
        assert getattr(Claim, event_class.__name__) is event_class
        assert resolve_topic(get_topic(event_class)) is event_class
    assert get_topic(Claim) == "inscribe.claim.Claim"
    assert Claim.Event.TOPIC == "inscribe.claim.Event" and Claim.Created.TOPIC == "inscribe.claim.Created"


def a_full_history() -> Claim:
    claim = Claim.report(**details())
    claim.raise_fraud_flag("loss-soon-after-inception", "loss 50 days after inception", day(0))
    claim.receive_document("claim_form", day(1))
    claim.notify_missing_documents(day(2))
    claim.notify_missing_documents(day(3), breach_reason="claimant asked for a copy")
    claim.receive_document("id_proof", day(4))
    claim.receive_document("loss_list", day(5))
    claim.accept(day(5))
    claim.record_investigation("cause_and_liability", "inv-1", "electrical fault", day(6))
    rescinded = dict(rescinded=True, rescission_ground="gross_negligence", no_liability_before=day(30))
    claim.record_rescission_finding(
        False, "the fact not disclosed has nothing to do with a fire", cover=cover(**rescinded), on=day(6)
    )
    claim.pay(
        "2000", day(7), "bank-0", "advance", paying_role="claims_manager", determinable_amount="2000", cover=cover()
    )
    claim.assess(items("9000"), "assessor-1", day(8))
    claim.notify_assessment(day(8))
    claim.dispute_assessment("too low", day(9))
    claim.assess(items("12000"), "assessor-2", day(10))
    claim.notify_assessment(day(10))
    claim.agree_assessment(day(11))
    claim.approve(
        cover=cover(remaining_sum_insured=Decimal("98000.00"), **rescinded),
        deciding_role="claims_handler",
        decided_by="h-1",
        on=day(12),
        premium_owed="300",
    )
    claim.release_premium_deduction("0", day(12))
    claim.set_reserve("9500", "approved amount", day(12))
    claim.advance_time(day(40))
    claim.pay("9500", day(40), "bank-1")
    claim.confirm_receipt(day(41))
    claim.close(day(41))
    claim.reopen("further damage found", day(50))
    claim.reject(["further damage not caused by the fire"], "mgr-1", day(55))
    claim.send_rejection_notice(day(56))
    return claim


def test_replaying_the_events_gives_the_live_state() -> None:
    claim = a_full_history()

    events = list(claim.collect_events())
    replayed = reduce(lambda state, event: event.mutate(state), events, None)

    assert {type(e) for e in events} == set(EVENTS)
    assert vars(replayed) == vars(claim)


def test_stored_events_read_back_to_the_same_claim() -> None:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    mapper: Mapper[Any] = Mapper(transcoder=transcoder)
    claim = a_full_history()
    events = list(claim.collect_events())

    read_back: list[Any] = [mapper.to_domain_event(mapper.to_stored_event(e)) for e in events]

    assert read_back == events
    assert vars(reduce(lambda state, event: event.mutate(state), read_back, None)) == vars(claim)
