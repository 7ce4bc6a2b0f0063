"""Policy rules (SPEC §5): one test per rule, every window on its boundary days; refusals record nothing."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any, cast

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.utils import get_topic, resolve_topic

from application.app import DateAsISO
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.policy.aggregate import Policy
from domain.policy.events import EVENTS
from domain.policy.rules import add_months
from domain.policy.terms import product_terms
from tests.builders.common import collected
from tests.builders.policies import (
    HOME,
    MEDICAL,
    START,
    TERM_LIFE,
    WAIVER_RIDER,
    accepted,
    application,
    applied,
    findings,
    in_force,
    new_events,
    passed,
    refused,
)

D = date
DAYS = timedelta(days=1)
CRITICAL_ILLNESS = replace(MEDICAL, code="CI", terms_months=(60,), renewable=False)


def lapsed_life(monthly: bool = True) -> Policy:
    """Ten-year term life, monthly: installment 2 (due 2024-02-10) unpaid, lapsed on 2024-04-11."""
    policy = in_force(TERM_LIFE, mode="monthly" if monthly else "annual", term_months=120)
    policy.advance_time(D(2024, 4, 11))
    assert new_events(policy) == ["Lapsed"]
    return policy


def state(policy: Policy) -> dict[str, Any]:
    return {k: v for k, v in vars(policy).items() if k != "_pending_events"}


# -- stored names --------------------------------------------------------------------------------


def test_every_policy_event_has_an_explicit_versioned_topic() -> None:
    for event_class in EVENTS:
        assert get_topic(event_class) == f"inscribe.policy.{event_class.__name__}.v1"
        assert getattr(Policy, event_class.__name__) is event_class
        assert resolve_topic(get_topic(event_class)) is event_class
    assert get_topic(Policy) == "inscribe.policy.Policy"


def test_stored_events_read_back_to_the_same_policy() -> None:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    mapper: Mapper[Any] = Mapper(transcoder=transcoder)
    policy = Policy.apply(
        **application(
            riders=[(WAIVER_RIDER, Decimal("5000"))], disclosures={"smoker": False, "illness": False, "disabled": False}
        )
    )
    policy.start_underwriting()
    policy.record_automatic_underwriting(findings("refer"), "referred")
    policy.decide(
        "offer_with_conditions",
        underwriter_id="uw-1",
        role="underwriter",
        loading_pct=25,
        exclusions=["smoking-related illness"],
        annual_premium="1500",
        installment="1500",
        decided_on=START,
    )
    policy.accept_conditions(START)
    policy.pay_premium(Decimal("1500"), START + DAYS, "bank-1")
    events = policy.collect_events()

    read_back: list[Any] = [mapper.to_domain_event(mapper.to_stored_event(e)) for e in events]

    assert read_back == events
    assert state(reduce(lambda p, e: e.mutate(p), read_back, None)) == state(policy)


# -- application (投保, 5.2 (1)) -----------------------------------------------------------------


def test_an_application_records_the_product_code_version_riders_and_terms() -> None:
    policy = Policy.apply(
        **application(
            riders=[(WAIVER_RIDER, Decimal("5000"))], disclosures={"smoker": False, "illness": True, "disabled": False}
        )
    )

    [event] = policy.collect_events()
    assert isinstance(event, Policy.Applied)
    assert (event.product_code, event.product_version) == ("TERM_LIFE", 2)
    assert event.riders == [
        {"code": "WAIVER", "version": 1, "sum_insured": Decimal("5000.00"), "terms": product_terms(WAIVER_RIDER)}
    ]  # each rider with its own cover's terms
    assert event.beneficiaries == [
        {"customer_id": None, "name": "李四", "share": Decimal("60.00")},
        {"customer_id": "cust-2", "name": None, "share": Decimal("40.00")},
    ]
    assert event.product_terms["line"] == "life" and event.product_terms["cooling_off_days"] == 15
    assert event.disclosures == {"smoker": False, "illness": True, "disabled": False}
    assert (policy.status, policy.status_on(START), policy.status_on(START - DAYS)) == ("applied", "applied", None)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"term_months": 36}, "term_months"),
        ({"premium_mode": "quarterly"}, "premium_mode"),
        ({"sum_insured": Decimal("9999")}, "sum_insured"),
        ({"sum_insured": Decimal("2000000.01")}, "sum_insured"),
        ({"disclosures": {"smoker": False}}, "disclosures.illness"),
        ({"disclosures": {"smoker": False, "illness": "no"}}, "disclosures.illness"),
        ({"disclosures": {"smoker": False, "illness": False, "pets": True}}, "disclosures.pets"),
        ({"beneficiaries": [{"name": "A", "share": 60}, {"name": "B", "share": "39.99"}]}, "beneficiaries.share"),
        ({"beneficiaries": []}, "beneficiaries"),
        ({"beneficiaries": [{"share": 100}]}, "beneficiaries[0]"),
        ({"relationship": "neighbour"}, "relationship"),
        ({"applied_on": "2024-01-10"}, "applied_on"),
        ({"quoted_installment": 0}, "quoted_installment"),
        ({"riders": [(WAIVER_RIDER, Decimal("5000"))]}, "disclosures.disabled"),
        ({"riders": [(WAIVER_RIDER, Decimal("500"))], "disclosures": {}}, "riders[0].sum_insured"),
        ({"riders": [(HOME, Decimal("5000"))]}, "riders[0]"),
        ({"product": WAIVER_RIDER}, "product"),
    ],
)
def test_an_application_the_product_does_not_allow_is_refused_naming_the_field(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as raised:
        Policy.apply(**application(**overrides))

    assert raised.value.field == field


def test_property_cover_may_name_no_beneficiary() -> None:
    policy = applied(HOME, relationship="owner", beneficiaries=[])

    assert policy.beneficiaries == []


# -- underwriting (6.1–6.3) ---------------------------------------------------------------------


def test_a_clean_case_is_accepted_automatically_with_one_finding_per_check_stored_as_given() -> None:
    policy = applied()
    policy.start_underwriting()
    policy.collect_events()

    policy.record_automatic_underwriting(passed(), "accepted", "1200", "1200")

    events = collected(policy)
    assert [type(e).__name__ for e in events] == ["AutomaticUnderwritingCompleted", "Accepted"]
    assert events[0].findings == passed()
    assert (policy.status, policy.annual_premium, policy.installment) == (
        "accepted",
        Decimal("1200.00"),
        Decimal("1200.00"),
    )


def test_an_adverse_finding_refers_the_case_with_its_codes_as_reasons() -> None:
    policy = applied()
    policy.start_underwriting()
    policy.collect_events()

    policy.record_automatic_underwriting(findings("refer", "adverse-disclosure"), "referred")

    assert new_events(policy) == ["AutomaticUnderwritingCompleted", "Referred"]
    assert (policy.status, policy.referral_reasons) == ("referred", ["adverse-disclosure"])


def test_a_hard_decline_finding_declines_the_case() -> None:
    policy = applied()
    policy.start_underwriting()
    policy.collect_events()

    policy.record_automatic_underwriting(findings("decline", "age-out-of-range"), "declined")

    assert new_events(policy) == ["AutomaticUnderwritingCompleted", "Declined"]
    assert (policy.status, policy.closing_reason) == ("declined", "age-out-of-range")


@pytest.mark.parametrize(
    "found, outcome, field",
    [
        (findings("refer"), "accepted", "outcome"),
        (passed(), "referred", "outcome"),
        ([*passed(), passed()[0]], "accepted", "findings[5].check"),
        ([dict(passed()[0], outcome="maybe")], "accepted", "findings[0].outcome"),
        ([], "accepted", "findings"),
    ],
)
def test_findings_that_do_not_support_the_outcome_are_refused(found: Any, outcome: str, field: str) -> None:
    policy = applied()
    policy.start_underwriting()
    policy.collect_events()

    error = refused(policy, lambda: policy.record_automatic_underwriting(found, outcome, 1200, 1200), InvalidValue)

    assert error.field == field


def test_the_moral_hazard_check_finds_once_for_the_insured_and_once_for_an_applicant_who_is_another_customer() -> None:
    # 6.2.5 looks at both parties (domain.policy.underwriting.assess): one finding each, never two for one party
    insured, applicant = passed()[4], passed()[4]
    insured["data"], applicant["data"] = {"party": "insured"}, {"party": "applicant"}
    policy = applied(insured_id="cust-4", relationship="spouse")
    policy.start_underwriting()
    policy.collect_events()

    twice = refused(
        policy,
        lambda: policy.record_automatic_underwriting(
            [*passed()[:4], insured, applicant, applicant], "accepted", 1200, 1200
        ),
        InvalidValue,
    )
    policy.record_automatic_underwriting([*passed()[:4], insured, applicant], "accepted", 1200, 1200)

    assert twice.field == "findings[6].check"
    assert new_events(policy) == ["AutomaticUnderwritingCompleted", "Accepted"]


def test_underwriting_starts_once() -> None:
    policy = applied()
    policy.start_underwriting()
    policy.collect_events()

    refused(policy, policy.start_underwriting, InvalidTransition, "invalid-policy-transition")


def referred() -> Policy:
    policy = applied()
    policy.start_underwriting()
    policy.record_automatic_underwriting(findings("refer"), "referred")
    policy.collect_events()
    return policy


def test_an_underwriter_accepts_a_referred_case_recording_who_and_in_what_role() -> None:
    policy = referred()

    policy.decide(
        "accept",
        underwriter_id="uw-1",
        role="senior_underwriter",
        annual_premium=1200,
        installment=1200,
        decided_on=START + DAYS,
    )

    events = collected(policy)
    assert [type(e).__name__ for e in events] == ["UnderwritingDecided", "Accepted"]
    assert (events[0].underwriter_id, events[0].role, events[0].decision) == ("uw-1", "senior_underwriter", "accept")
    assert policy.status_on(START + DAYS) == "accepted"


@pytest.mark.parametrize(
    "decision, extra, field",
    [
        ("accept", {"loading_pct": 10}, "loading_pct"),
        ("offer_with_conditions", {}, "loading_pct"),
        ("decline", {"reason": " "}, "reason"),
        ("postpone", {}, "reason"),
        ("accept", {"annual_premium": None}, "annual_premium"),
        ("promote", {}, "decision"),
    ],
)
def test_an_underwriting_decision_without_what_it_needs_is_refused(
    decision: str, extra: dict[str, Any], field: str
) -> None:
    policy = referred()
    kwargs: dict[str, Any] = dict(
        underwriter_id="uw-1", role="underwriter", annual_premium=1200, installment=1200, decided_on=START
    )

    error = refused(policy, lambda: policy.decide(decision, **{**kwargs, **extra}), InvalidValue)

    assert error.field == field


def test_a_decline_refunds_the_premium_paid_with_the_application_and_suggests_other_products() -> None:
    policy = applied()
    policy.pay_premium(Decimal("1200"), START, "bank-1")
    policy.start_underwriting()
    policy.record_automatic_underwriting(findings("refer"), "referred")
    policy.collect_events()

    policy.decide(
        "decline",
        underwriter_id="uw-1",
        role="underwriter",
        reason="medical history",
        suggested_products=["MEDICAL"],
        decided_on=START + 3 * DAYS,
    )

    events = collected(policy)
    assert [type(e).__name__ for e in events] == ["UnderwritingDecided", "Declined", "PremiumRefunded"]
    assert (events[2].amount, events[2].reason) == (Decimal("1200.00"), "declined")
    assert policy.suggested_products == ["MEDICAL"]
    assert (policy.status, policy.net_premium_paid) == ("declined", Decimal(0))


def test_postponement_ends_the_application() -> None:
    policy = referred()

    policy.decide("postpone", underwriter_id="uw-1", role="underwriter", reason="recent surgery", decided_on=START)

    assert policy.status == "postponed"
    policy.collect_events()
    refused(policy, lambda: policy.pay_premium(1200, START, "x"), InvalidTransition, "invalid-policy-transition")


def offered() -> Policy:
    policy = referred()
    policy.decide(
        "offer_with_conditions",
        underwriter_id="uw-1",
        role="underwriter",
        loading_pct="25",
        exclusions=["hazardous sports"],
        annual_premium=1500,
        installment=1500,
        decided_on=START,
    )
    policy.collect_events()
    return policy


def test_conditions_accepted_by_the_applicant_make_the_case_accepted_on_those_terms() -> None:
    policy = offered()

    policy.accept_conditions(START + 2 * DAYS)

    assert new_events(policy) == ["ConditionsAccepted"]
    assert (policy.status, policy.annual_premium, policy.loading_pct, policy.exclusions) == (
        "accepted",
        Decimal("1500.00"),
        Decimal("25.00"),
        ["hazardous sports"],
    )


def test_conditions_refused_by_the_applicant_withdraw_the_application() -> None:
    policy = offered()

    policy.refuse_conditions(START + 2 * DAYS)

    assert new_events(policy) == ["ConditionsRefused"]
    assert policy.status == "withdrawn"
    refused(policy, lambda: policy.accept_conditions(START + 3 * DAYS), InvalidTransition, "invalid-policy-transition")


# -- issue (承保, 5.2 (3)–(5)) -----------------------------------------------------------------


def test_the_contract_is_formed_when_the_accepted_first_premium_is_paid() -> None:
    policy = accepted(TERM_LIFE, mode="monthly")
    paid_on = START + 5 * DAYS

    policy.pay_premium(Decimal("108"), paid_on, "bank-1")

    paid, issued = policy.collect_events()
    assert isinstance(paid, Policy.PremiumPaid) and isinstance(issued, Policy.Issued)
    assert issued.policy_number == f"P2024{policy.id.hex[:10].upper()}"
    assert (issued.start_date, issued.end_date) == (paid_on, D(2026, 1, 14))
    assert len(issued.schedule) == 24 and issued.schedule[1]["due_date"] == D(2024, 2, 15)
    assert set(issued.contract) == {
        "a_parties",
        "b_subject_and_cover",
        "c_premium",
        "d_claim_payment",
        "e_breach_and_disputes",
        "f_other",
    }
    assert issued.contract["d_claim_payment"]["method"] == "bank transfer"
    assert (policy.status_on(paid_on - DAYS), policy.status_on(paid_on)) == ("accepted", "in_force")
    assert policy.schedule[0]["paid_on"] == paid_on


@pytest.mark.parametrize("amount", ["107.99", "108.01", "1200"])
def test_a_first_premium_other_than_the_amount_due_is_refused(amount: str) -> None:
    policy = accepted(TERM_LIFE, mode="monthly")

    error = refused(policy, lambda: policy.pay_premium(Decimal(amount), START, "bank-1"), DomainError, "wrong-amount")

    assert error.details["due"] == "108.00"


def test_a_premium_paid_with_the_application_issues_the_contract_on_acceptance() -> None:
    policy = applied()
    policy.pay_premium(Decimal("1200"), START, "bank-1")
    policy.start_underwriting()

    policy.record_automatic_underwriting(passed(), "accepted", 1200, 1200, on=START + 2 * DAYS)

    assert new_events(policy) == [
        "PremiumPaid",
        "UnderwritingStarted",
        "AutomaticUnderwritingCompleted",
        "Accepted",
        "Issued",
    ]
    assert (policy.status, policy.start_date, policy.schedule[0]["paid_on"]) == ("in_force", START + 2 * DAYS, START)


def test_a_premium_paid_with_the_application_is_refunded_when_the_terms_change() -> None:
    policy = applied()
    policy.pay_premium(Decimal("1200"), START, "bank-1")
    policy.start_underwriting()
    policy.record_automatic_underwriting(findings("refer"), "referred")
    policy.decide(
        "offer_with_conditions",
        underwriter_id="uw-1",
        role="underwriter",
        loading_pct=25,
        annual_premium=1500,
        installment=1500,
        decided_on=START,
    )
    policy.collect_events()

    policy.accept_conditions(START + DAYS)

    assert new_events(policy) == ["ConditionsAccepted", "PremiumRefunded"]
    assert (policy.status, policy.net_premium_paid) == ("accepted", Decimal(0))
    policy.pay_premium(Decimal("1500"), START + DAYS, "bank-2")
    assert policy.status == "in_force"


def test_the_premium_is_paid_with_the_application_only_once() -> None:
    policy = applied()
    policy.pay_premium(Decimal("1200"), START, "bank-1")
    policy.collect_events()

    refused(policy, lambda: policy.pay_premium(Decimal("1200"), START, "bank-2"), DomainError, "premium-already-paid")


def test_no_premium_is_taken_while_conditions_are_offered() -> None:
    policy = offered()

    refused(policy, lambda: policy.pay_premium(1500, START, "x"), InvalidTransition, "policy-not-in-force")


# -- premium, grace and lapse (Art. 36) ---------------------------------------------------------

DUE2 = D(2024, 2, 10)  # installment 2 of the monthly term life policy


def test_a_later_installment_is_paid_in_full_and_marked_paid() -> None:
    policy = in_force(TERM_LIFE, mode="monthly")
    refused(policy, lambda: policy.pay_premium(Decimal("100"), DUE2, "b"), DomainError, "wrong-amount")

    policy.pay_premium(Decimal("108"), DUE2, "bank-2")

    [event] = collected(policy)
    assert (event.installment_no, policy.schedule[1]["paid_on"], policy.premiums_paid) == (2, DUE2, Decimal("216"))


def test_a_single_premium_leaves_nothing_due() -> None:
    policy = in_force(TERM_LIFE, mode="single")

    refused(policy, lambda: policy.pay_premium(Decimal("2400"), START, "b"), DomainError, "nothing-due")
    assert policy.next_due_date() == D(2026, 1, 10)  # only the expiry


def test_a_payment_demand_needs_an_overdue_unpaid_installment_and_is_made_once() -> None:
    policy = in_force(TERM_LIFE, mode="monthly")

    refused(policy, lambda: policy.demand_payment(2, DUE2), DomainError, "installment-not-overdue")
    refused(policy, lambda: policy.demand_payment(1, DUE2 + DAYS), InvalidValue)
    policy.demand_payment(2, DUE2 + DAYS)
    [event] = collected(policy)
    assert event.grace_end == DUE2 + 31 * DAYS
    refused(policy, lambda: policy.demand_payment(2, DUE2 + 2 * DAYS), DomainError, "payment-already-demanded")


@pytest.mark.parametrize(
    "demand_after_due, grace_end_after_due, owed",
    [
        (None, 60, "324.00"),  # no demand: due + 60 (installments due Feb, Mar, Apr 10 unpaid)
        (10, 40, "216.00"),  # demand + 30 comes first
        (45, 60, "324.00"),  # due + 60 comes first
    ],
)
def test_life_cover_lapses_the_day_after_the_earlier_of_demand_plus_30_and_due_plus_60(
    demand_after_due: int | None, grace_end_after_due: int, owed: str
) -> None:
    policy = in_force(TERM_LIFE, mode="monthly")
    if demand_after_due is not None:
        policy.advance_time(DUE2 + demand_after_due * DAYS)
        policy.demand_payment(2, DUE2 + demand_after_due * DAYS)
        policy.collect_events()
    end = DUE2 + grace_end_after_due * DAYS

    policy.advance_time(end)
    assert new_events(policy) == []
    policy.advance_time(end + DAYS)

    [lapsed] = policy.collect_events()
    assert isinstance(lapsed, Policy.Lapsed)
    assert (lapsed.on, lapsed.grace_end, lapsed.installment_no, lapsed.premium_owed) == (
        end + DAYS,
        end,
        2,
        Decimal(owed),
    )
    assert (policy.status_on(end), policy.status_on(end + DAYS)) == ("in_force", "lapsed")


def test_other_lines_lapse_the_day_after_the_products_grace_days() -> None:
    policy = in_force(HOME, mode="monthly")

    policy.advance_time(DUE2 + 30 * DAYS)
    assert new_events(policy) == []
    policy.advance_time(DUE2 + 31 * DAYS)
    assert new_events(policy) == ["Lapsed"]


def test_in_grace_the_cover_continues_and_the_premium_owed_is_known() -> None:
    policy = in_force(TERM_LIFE, mode="monthly")

    cover = policy.cover_on(DUE2 + 20 * DAYS)

    assert (cover.in_force, cover.in_grace, cover.premium_owed) == (True, True, Decimal("108.00"))
    assert policy.premium_owed_on(DUE2 - DAYS) == 0
    assert policy.cover_on(DUE2 - DAYS).in_grace is False


def test_paying_in_grace_keeps_the_policy_in_force() -> None:
    policy = in_force(TERM_LIFE, mode="monthly")
    policy.pay_premium(Decimal("108"), DUE2 + 59 * DAYS, "late")
    policy.pay_premium(Decimal("108"), DUE2 + 60 * DAYS, "late")

    policy.advance_time(DUE2 + 61 * DAYS)

    assert new_events(policy) == ["PremiumPaid", "PremiumPaid"]
    assert policy.status == "in_force"


def test_a_command_on_a_date_with_unrecorded_lapse_is_refused_until_time_is_advanced() -> None:
    policy = in_force(TERM_LIFE, mode="monthly")

    refused(policy, lambda: policy.pay_premium(Decimal("108"), DUE2 + 61 * DAYS, "b"), DomainError, "time-not-advanced")
    policy.advance_time(DUE2 + 61 * DAYS)
    policy.collect_events()
    refused(
        policy,
        lambda: policy.pay_premium(Decimal("108"), DUE2 + 61 * DAYS, "b"),
        InvalidTransition,
        "policy-not-in-force",
    )


def test_a_command_dated_before_the_last_recorded_date_is_refused() -> None:
    policy = in_force(TERM_LIFE, mode="monthly")
    policy.pay_premium(Decimal("108"), DUE2, "b")
    policy.collect_events()

    refused(policy, lambda: policy.sign_receipt(DUE2 - DAYS), DomainError, "date-before-last-event")


def test_advancing_time_twice_to_the_same_date_records_nothing_the_second_time() -> None:
    policy = in_force(TERM_LIFE, mode="monthly")
    policy.advance_time(D(2025, 1, 1))
    first = policy.collect_events()

    policy.advance_time(D(2025, 1, 1))

    assert [type(e).__name__ for e in first] == ["Lapsed"]
    assert policy.collect_events() == []


# -- reinstatement (Art. 37; SPC Interpretation III Art. 8) ----------------------------------------

LAPSED_ON = D(2024, 4, 11)


def test_reinstatement_may_be_requested_on_the_last_day_of_the_two_years() -> None:
    policy = lapsed_life()

    policy.advance_time(D(2026, 4, 11))
    policy.request_reinstatement(D(2026, 4, 11))

    assert new_events(policy) == ["ReinstatementRequested"]


def test_two_years_after_lapse_without_reinstatement_life_cover_terminates_with_its_cash_value() -> None:
    policy = in_force(TERM_LIFE, mode="annual", term_months=120)  # 1200 paid; 1200 due 2025-01-10
    policy.advance_time(D(2025, 3, 12))
    assert new_events(policy) == ["Lapsed"]

    policy.advance_time(D(2027, 3, 12))
    assert new_events(policy) == []
    policy.advance_time(D(2027, 3, 13))

    terminated, refund = policy.collect_events()
    assert isinstance(terminated, Policy.Terminated) and isinstance(refund, Policy.PremiumRefunded)
    assert terminated.refund == Decimal("600.00")  # 3 completed years: 50% of 1200 paid
    assert (policy.status_on(D(2027, 3, 12)), policy.status_on(D(2027, 3, 13))) == ("lapsed", "terminated")
    refused(
        policy, lambda: policy.request_reinstatement(D(2027, 3, 14)), InvalidTransition, "invalid-policy-transition"
    )


def test_other_lines_terminate_without_refund() -> None:
    policy = in_force(CRITICAL_ILLNESS, mode="monthly")
    policy.advance_time(LAPSED_ON)
    # two years from the lapse end on Saturday 2026-04-11, moved to Monday 04-13 (Civil Code Art. 203):
    # terminated on 04-14 (was 04-12)
    policy.advance_time(D(2026, 4, 14))

    assert new_events(policy) == ["Lapsed", "Terminated"]
    assert policy.refunded == 0


def test_silence_for_30_days_after_the_request_is_consent() -> None:
    policy = lapsed_life()
    requested = D(2024, 5, 1)
    policy.request_reinstatement(requested)
    policy.collect_events()

    policy.advance_time(requested + 30 * DAYS)
    assert new_events(policy) == []
    policy.advance_time(requested + 31 * DAYS)

    [deemed] = policy.collect_events()
    assert isinstance(deemed, Policy.ReinstatementDeemedAgreed)
    assert policy.reinstatement is not None
    assert (deemed.on, deemed.requested_on, policy.reinstatement["state"]) == (
        requested + 31 * DAYS,
        requested,
        "agreed",
    )


def test_the_insurer_may_refuse_on_the_30th_day_when_the_risk_rose_markedly() -> None:
    policy = lapsed_life()
    requested = D(2024, 5, 1)
    policy.request_reinstatement(requested)
    policy.collect_events()

    policy.decide_reinstatement(False, requested + 30 * DAYS, "risk-increased-markedly")

    [event] = collected(policy)
    assert policy.reinstatement is not None
    assert (event.agreed, policy.status, policy.reinstatement["state"]) == (False, "lapsed", "refused")
    policy.request_reinstatement(requested + 40 * DAYS)  # a new request may follow
    assert new_events(policy) == ["ReinstatementRequested"]


def test_a_refusal_after_30_days_is_refused() -> None:
    policy = lapsed_life()
    requested = D(2024, 5, 1)
    policy.request_reinstatement(requested)
    policy.collect_events()

    refused(
        policy,
        lambda: policy.decide_reinstatement(False, requested + 31 * DAYS, "risk-increased-markedly"),
        DomainError,
        "time-not-advanced",
    )
    policy.advance_time(requested + 31 * DAYS)
    policy.collect_events()
    refused(
        policy,
        lambda: policy.decide_reinstatement(False, requested + 31 * DAYS, "risk-increased-markedly"),
        DomainError,
        "reinstatement-already-decided",
    )


def test_reinstatement_may_be_refused_only_because_the_risk_rose_markedly() -> None:
    policy = lapsed_life()
    policy.request_reinstatement(D(2024, 5, 1))
    policy.collect_events()

    error = refused(
        policy,
        lambda: policy.decide_reinstatement(False, D(2024, 5, 2), "we would rather not"),
        InvalidValue,
        "reinstatement-refusal-not-allowed",
    )

    assert error.field == "reason"


def test_paying_all_arrears_after_agreement_reinstates_cover_from_the_payment_date() -> None:
    policy = lapsed_life()
    policy.request_reinstatement(D(2024, 5, 1))
    policy.collect_events()
    refused(policy, lambda: policy.pay_arrears(Decimal("432"), D(2024, 5, 1)), DomainError, "reinstatement-not-agreed")
    policy.decide_reinstatement(True, D(2024, 5, 20))
    policy.collect_events()
    paid_on = D(2024, 6, 3)  # installments 2-5 (Feb..May 10) are due

    refused(policy, lambda: policy.pay_arrears(Decimal("540"), paid_on), DomainError, "wrong-amount")
    policy.pay_arrears(Decimal("432"), paid_on)

    assert new_events(policy) == ["PremiumPaid"] * 4 + ["Reinstated"]
    assert [policy.status_on(d) for d in (LAPSED_ON - DAYS, LAPSED_ON, paid_on - DAYS, paid_on)] == [
        "in_force",
        "lapsed",
        "lapsed",
        "in_force",
    ]
    assert policy.cover_on(paid_on - DAYS).in_force is False


def test_reinstatement_commands_need_a_lapsed_policy() -> None:
    policy = in_force(TERM_LIFE, mode="monthly")

    refused(policy, lambda: policy.request_reinstatement(START), InvalidTransition, "policy-not-lapsed")


# -- cooling-off (犹豫期) ------------------------------------------------------------------------


@pytest.mark.parametrize("days_after_receipt, allowed", [(15, True), (16, False)])
def test_a_long_term_policy_may_be_cancelled_through_the_15th_day_after_the_signed_receipt(
    days_after_receipt: int, allowed: bool
) -> None:
    policy = in_force(TERM_LIFE, mode="annual")
    # (was START + 3, whose 15th day is a Sunday and now moves to Monday: Civil Code Art. 203)
    receipt = START + 5 * DAYS
    policy.sign_receipt(receipt)
    [signed] = collected(policy)
    assert signed.cooling_off_last_day == receipt + 15 * DAYS
    day = receipt + days_after_receipt * DAYS

    if not allowed:
        refused(policy, lambda: policy.cancel_in_cooling_off(day), DomainError, "cooling-off-ended")
        return
    policy.cancel_in_cooling_off(day)

    cancelled, refund = collected(policy)
    assert isinstance(cancelled, Policy.CancelledInCoolingOff)
    assert (cancelled.refund, cancelled.fee, refund.amount) == (
        Decimal("1190.00"),
        Decimal("10.00"),
        Decimal("1190.00"),
    )
    assert policy.status_on(day) == "cancelled" and policy.net_premium_paid == Decimal("10.00")


def test_cooling_off_runs_from_the_signed_receipt_and_only_for_terms_over_a_year() -> None:
    long_term = in_force(TERM_LIFE)
    short_term = in_force(MEDICAL)

    refused(long_term, lambda: long_term.cancel_in_cooling_off(START), DomainError, "receipt-not-signed")
    refused(short_term, lambda: short_term.cancel_in_cooling_off(START), DomainError, "no-cooling-off")
    long_term.sign_receipt(START)
    long_term.collect_events()
    refused(long_term, lambda: long_term.sign_receipt(START), DomainError, "receipt-already-signed")


# -- changes (5.3) -------------------------------------------------------------------------------


def test_a_change_needs_a_written_document_reference() -> None:
    policy = in_force()

    error = refused(
        policy, lambda: policy.change("contacts", {"contacts": {"phone": "13800138000"}}, " ", START), InvalidValue
    )

    assert error.field == "document_ref"


def test_beneficiaries_change_by_agreement_with_shares_summing_to_100() -> None:
    policy = in_force()
    new = [{"customer_id": "cust-3", "share": 100}]
    bad = [{"customer_id": "cust-3", "share": 90}]

    refused(policy, lambda: policy.change("beneficiary", {"beneficiaries": bad}, "DOC-1", START), InvalidValue)
    policy.change("beneficiary", {"beneficiaries": new}, "DOC-1", START + 5 * DAYS)

    [event] = collected(policy)
    assert (event.kind, event.document_ref, event.effective_on, event.premium_difference) == (
        "beneficiary",
        "DOC-1",
        START + 5 * DAYS,
        0,
    )
    assert policy.beneficiaries == [{"customer_id": "cust-3", "name": None, "share": Decimal("100.00")}]
    refused(
        policy,
        lambda: policy.change("beneficiary", {"beneficiaries": new}, "DOC-2", START + 5 * DAYS),
        DomainError,
        "nothing-to-change",
    )


def test_a_beneficiary_change_by_an_applicant_who_is_not_the_insured_needs_the_insureds_written_consent() -> None:
    # Art. 41: a parent (cust-1) insuring a child (cust-4) changes the beneficiaries only with the child's consent
    policy = in_force(insured_id="cust-4", relationship="child")
    new = [{"customer_id": "cust-1", "share": 100}]

    missing = refused(
        policy,
        lambda: policy.change("beneficiary", {"beneficiaries": new}, "DOC-1", START),
        InvalidValue,
        "insured-consent-required",
    )
    blank = refused(
        policy,
        lambda: policy.change("beneficiary", {"beneficiaries": new}, "DOC-1", START, insured_consent_document=" "),
        InvalidValue,
    )
    not_a_beneficiary_change = refused(
        policy,
        lambda: policy.change(
            "contacts", {"contacts": {"email": "a@b.cn"}}, "DOC-1", START, insured_consent_document="CONSENT-1"
        ),
        InvalidValue,
    )
    policy.change("beneficiary", {"beneficiaries": new}, "DOC-1", START, insured_consent_document="CONSENT-1")

    assert missing.field == blank.field == not_a_beneficiary_change.field == "insured_consent_document"
    [event] = collected(policy)
    assert (event.kind, event.document_ref, event.insured_consent_document) == ("beneficiary", "DOC-1", "CONSENT-1")
    assert policy.beneficiaries == [{"customer_id": "cust-1", "name": None, "share": Decimal("100.00")}]
    # the insured changing their own beneficiaries consents by signing the change
    own = in_force()
    own.change("beneficiary", {"beneficiaries": new}, "DOC-2", START)
    assert [e.insured_consent_document for e in collected(own)] == [None]


def test_a_change_stored_before_the_insureds_consent_was_asked_for_reads_with_none() -> None:
    """A PolicyChanged stored at class version 1 (no insured_consent_document) reads back as version 2
    with None, and replays to the same policy."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    mapper: Mapper[Any] = Mapper(transcoder=transcoder)
    policy = in_force(insured_id="cust-4", relationship="child")
    before = deepcopy(policy)
    policy.change(
        "beneficiary",
        {"beneficiaries": [{"name": "李娜", "share": 100}]},
        "DOC-1",
        START,
        insured_consent_document="CONSENT-1",
    )
    [event] = policy.collect_events()
    stored = mapper.to_stored_event(event)
    v2 = mapper.transcoder.decode(stored.state)
    assert (v2.pop("class_version"), v2.pop("insured_consent_document")) == (2, "CONSENT-1")
    old = type(stored)(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic="inscribe.policy.PolicyChanged.v1",
        state=mapper.transcoder.encode(v2),
    )

    read = mapper.to_domain_event(old)

    assert isinstance(read, Policy.PolicyChanged) and read.insured_consent_document is None
    assert (read.kind, read.document_ref) == ("beneficiary", "DOC-1")
    assert state(cast(Policy, read.mutate(before))) == state(policy)


def test_contacts_change_by_agreement() -> None:
    policy = in_force()

    policy.change("contacts", {"contacts": {"email": "a@b.cn"}}, "DOC-1", START)

    assert policy.contacts == {"email": "a@b.cn"}


def test_the_premium_mode_changes_on_the_next_due_date_with_the_difference_over_the_remaining_term() -> None:
    policy = in_force(TERM_LIFE, mode="annual")  # 1200 on 2024-01-10 and 2025-01-10

    refused(
        policy, lambda: policy.change("premium_mode", {"premium_mode": "monthly"}, "DOC", D(2024, 6, 1)), InvalidValue
    )
    policy.change("premium_mode", {"premium_mode": "monthly"}, "DOC", D(2025, 1, 10), on=D(2024, 6, 1))

    [event] = collected(policy)
    assert event.replaced_installments == [2]
    assert len(event.schedule) == 12 and event.schedule[0]["no"] == 3
    assert event.premium_difference == Decimal("96.00")  # 12 × 108 − 1200
    assert (policy.premium_mode, policy.installment) == ("monthly", Decimal("108.00"))
    assert [i["no"] for i in policy.schedule][:3] == [1, 3, 4]


def test_lowering_the_sum_insured_refunds_the_unearned_premium_pro_rata() -> None:
    policy = in_force(HOME, mode="annual", annual=Decimal("366"), sum_insured=Decimal("400000"))
    effective = D(2024, 7, 10)  # 184 of 366 days of cover remain

    policy.change("sum_insured", {"sum_insured": Decimal("200000")}, "DOC", effective)

    changed, refund = collected(policy)
    assert (changed.settled_now, changed.premium_difference, refund.amount) == (
        Decimal("-92.00"),
        Decimal("-92.00"),
        Decimal("92.00"),
    )
    assert (policy.sum_insured, policy.annual_premium) == (Decimal("200000.00"), Decimal("183.00"))
    assert policy.cover_on(effective - DAYS).sum_insured == Decimal("400000.00")
    assert policy.cover_on(effective).sum_insured == Decimal("200000.00")


def test_lowering_the_sum_insured_of_a_cash_value_product_refunds_the_cash_value_given_up() -> None:
    # ten-year term life, 1,200 a year for 500,000, three years paid (3,600.00); halved from 2026-03-10,
    # two completed policy years: the table's 50% of the premium paid for each sum insured
    policy = in_force(TERM_LIFE, mode="annual", term_months=120)
    policy.pay_premium(Decimal("1200"), D(2025, 1, 10), "bank-2")
    policy.pay_premium(Decimal("1200"), D(2026, 1, 10), "bank-3")
    policy.collect_events()
    effective = D(2026, 3, 10)

    policy.change("sum_insured", {"sum_insured": Decimal("250000")}, "DOC", effective)

    changed, refund = collected(policy)
    # 50% × 3,600 = 1,800 at 500,000 less 50% × 1,800 = 900 at 250,000 (not 1,200 × 306/365 / 2 pro rata)
    assert (changed.details["cash_value_before"], changed.details["cash_value_after"]) == (
        Decimal("1800.00"),
        Decimal("900.00"),
    )
    assert (changed.settled_now, refund.amount, refund.reason) == (
        Decimal("-900.00"),
        Decimal("900.00"),
        "sum-insured-decrease",
    )
    assert changed.premium_difference == Decimal("-5100.00")  # −900 and 7 installments of 600 for 1,200
    assert (policy.sum_insured, policy.annual_premium) == (Decimal("250000.00"), Decimal("600.00"))
    assert [i["amount"] for i in policy.schedule if i["paid_on"] is None] == [Decimal("600.00")] * 7
    # the part given up is surrendered once: surrendering the rest the same day pays the cash value
    # at 250,000, so the two refunds make the cash value at 500,000
    policy.surrender(effective)
    surrendered = policy.collect_events()
    assert [(type(e).__name__, getattr(e, "amount", None)) for e in surrendered][-1] == (
        "PremiumRefunded",
        Decimal("900.00"),
    )


def test_a_higher_sum_insured_is_not_a_plain_change() -> None:
    policy = in_force()

    refused(
        policy,
        lambda: policy.change("sum_insured", {"sum_insured": 600000}, "DOC", START),
        DomainError,
        "sum-insured-increase-needs-underwriting",
    )


def test_a_sum_insured_increase_is_underwritten_again_and_charged_pro_rata() -> None:
    policy = in_force(HOME, mode="annual", annual=Decimal("366"), sum_insured=Decimal("200000"))
    policy.request_sum_insured_increase(Decimal("400000"), "DOC-9", D(2024, 7, 10), on=D(2024, 7, 1))
    assert new_events(policy) == ["SumInsuredIncreaseRequested"]
    assert (policy.status, policy.sum_insured) == ("in_force", Decimal("200000.00"))

    policy.decide_sum_insured_increase(
        True, underwriter_id="uw-1", role="underwriter", annual_premium=732, decided_on=D(2024, 7, 5)
    )

    decided, changed = collected(policy)
    assert isinstance(decided, Policy.SumInsuredIncreaseDecided) and decided.role == "underwriter"
    assert (changed.effective_on, changed.settled_now) == (D(2024, 7, 10), Decimal("184.00"))
    assert changed.schedule[-1]["kind"] == "adjustment" and changed.schedule[-1]["amount"] == Decimal("184.00")
    assert policy.sum_insured == Decimal("400000.00")
    policy.pay_premium(Decimal("184"), D(2024, 7, 10), "adj")
    assert policy.net_premium_paid == Decimal("550.00")


def test_a_refused_increase_leaves_the_sum_insured_unchanged() -> None:
    policy = in_force()
    policy.request_sum_insured_increase(600000, "DOC", START + DAYS)
    policy.collect_events()

    refused(
        policy,
        lambda: policy.decide_sum_insured_increase(
            False, underwriter_id="u", role="underwriter", decided_on=START + DAYS
        ),
        InvalidValue,
    )
    policy.decide_sum_insured_increase(
        False, underwriter_id="u", role="underwriter", reason="income too low", decided_on=START + DAYS
    )

    assert new_events(policy) == ["SumInsuredIncreaseDecided"]
    assert (policy.sum_insured, policy.pending_increase) == (Decimal("500000.00"), None)


# -- renewal (8.1.1 (4)) and expiry ------------------------------------------------------------

END = D(2025, 1, 9)  # last day of a 12-month policy from START


def test_renewal_is_offered_from_the_offer_day_before_expiry() -> None:
    policy = in_force(MEDICAL)

    refused(policy, lambda: policy.offer_renewal(END - 31 * DAYS, 1300), DomainError, "renewal-not-yet-open")
    policy.offer_renewal(END - 30 * DAYS, 1300)

    [offer] = collected(policy)
    assert (offer.start_date, offer.end_date, offer.installment) == (END + DAYS, D(2026, 1, 9), Decimal("1300.00"))


def test_advancing_time_offers_renewal_on_the_offer_day_when_given_a_premium() -> None:
    policy = in_force(MEDICAL, mode="monthly")
    for month in range(1, 12):
        policy.pay_premium(Decimal("108"), add_months(START, month), "m")
    policy.collect_events()
    assert policy.next_due_date() == END - 30 * DAYS

    policy.advance_time(END - 30 * DAYS)
    assert new_events(policy) == []
    policy.advance_time(END - 30 * DAYS, renewal_premium=lambda: (Decimal("1300"), None))

    [offer] = collected(policy)
    assert (offer.on, offer.installment) == (END - 30 * DAYS, Decimal("117.00"))


def test_a_renewed_policy_stays_in_force_with_a_new_period_and_no_new_waiting_period() -> None:
    policy = in_force(MEDICAL)
    policy.offer_renewal(END - 10 * DAYS, 1300)
    assert new_events(policy) == ["RenewalOffered"]
    refused(policy, lambda: policy.renew(END, Decimal("1200")), DomainError, "wrong-amount")

    policy.renew(END, Decimal("1300"))

    assert new_events(policy) == ["PremiumPaid", "Renewed"]
    assert (policy.status, policy.end_date, policy.periods[1]) == (
        "in_force",
        D(2026, 1, 9),
        {"start": END + DAYS, "end": D(2026, 1, 9)},
    )
    assert policy.cover_on(END + DAYS).waiting_period_end == START + 31 * DAYS  # the first day past it
    policy.advance_time(END + DAYS)
    assert new_events(policy) == []
    assert policy.status_on(END + DAYS) == "in_force"


def test_a_policy_not_renewed_expires_the_day_after_its_last_day() -> None:
    policy = in_force(MEDICAL)
    policy.offer_renewal(END - 10 * DAYS, 1300)
    policy.collect_events()

    policy.advance_time(END)
    assert new_events(policy) == []
    policy.advance_time(END + DAYS)

    assert new_events(policy) == ["Expired"]
    assert (policy.status_on(END), policy.status_on(END + DAYS)) == ("in_force", "expired")
    refused(policy, lambda: policy.renew(END + DAYS, Decimal("1300")), InvalidTransition, "invalid-policy-transition")


def test_long_term_policies_are_not_renewable() -> None:
    policy = in_force(TERM_LIFE)

    refused(policy, lambda: policy.offer_renewal(D(2024, 6, 1), 1200), DomainError, "not-renewable")


# -- surrender (退保) ----------------------------------------------------------------------------


def test_a_short_term_surrender_refunds_the_unearned_days_of_the_premium_paid() -> None:
    policy = in_force(HOME, annual=Decimal("366"))

    policy.surrender(D(2024, 7, 10))  # 184 of 366 days unearned

    surrendered, refund = collected(policy)
    assert (surrendered.refund, surrendered.basis, refund.amount) == (Decimal("184.00"), "pro_rata", Decimal("184.00"))
    assert policy.status_on(D(2024, 7, 9)) == "in_force" and policy.status == "surrendered"


def test_a_life_surrender_refunds_the_cash_value_of_the_premiums_paid() -> None:
    policy = in_force(TERM_LIFE, term_months=120)
    policy.advance_time(D(2025, 1, 10))
    policy.pay_premium(Decimal("1200"), D(2025, 1, 10), "y2")
    policy.collect_events()

    policy.surrender(D(2025, 1, 10))

    surrendered, _ = collected(policy)
    assert (surrendered.refund, surrendered.basis) == (Decimal("480.00"), "cash_value")  # 20% of 2400


# -- rescission for non-disclosure (Art. 16) ------------------------------------------------------


@pytest.mark.parametrize("days_after_learning, code", [(30, None), (31, "rescission-time-barred")])
def test_rescission_must_come_within_30_days_of_learning_the_cause(days_after_learning: int, code: str | None) -> None:
    policy = in_force()
    learned = D(2024, 6, 1)
    day = learned + days_after_learning * DAYS

    if code:
        refused(policy, lambda: policy.rescind(day, "intentional", learned, False), DomainError, code)
    else:
        policy.rescind(day, "intentional", learned, False)
        assert new_events(policy) == ["Rescinded"]


# two years from formation (2024-01-10) end on Saturday 2026-01-10, moved to Monday 01-12 (Civil Code Art. 203);
# (were 2026-01-10 and 01-11)
@pytest.mark.parametrize("day, code", [(D(2026, 1, 12), None), (D(2026, 1, 13), "rescission-time-barred")])
def test_rescission_is_barred_more_than_two_years_after_formation(day: date, code: str | None) -> None:
    policy = in_force(TERM_LIFE, term_months=120)
    policy.advance_time(D(2025, 1, 10))
    policy.pay_premium(Decimal("1200"), D(2025, 1, 10), "y2")
    policy.collect_events()

    if code:
        refused(policy, lambda: policy.rescind(day, "intentional", D(2026, 1, 1), False), DomainError, code)
    else:
        policy.rescind(day, "intentional", D(2026, 1, 1), False)
        assert policy.status == "rescinded"


def test_rescission_is_not_allowed_when_the_insurer_knew_the_facts() -> None:
    policy = in_force()

    refused(
        policy,
        lambda: policy.rescind(D(2024, 6, 1), "intentional", D(2024, 6, 1), True),
        DomainError,
        "rescission-not-allowed",
    )


def test_intentional_non_disclosure_keeps_the_premium_and_removes_earlier_liability() -> None:
    policy = in_force()

    policy.rescind(D(2024, 6, 1), "intentional", D(2024, 5, 20), False)

    [event] = collected(policy)
    assert (event.refund, event.no_liability_before) == (0, D(2024, 6, 1))
    cover = policy.cover_on(D(2024, 3, 1))
    assert (cover.status, cover.rescinded, cover.rescission_ground, cover.no_liability_before) == (
        "in_force",
        True,
        "intentional",
        D(2024, 6, 1),
    )


def test_gross_negligence_refunds_the_premium() -> None:
    policy = in_force()

    policy.rescind(D(2024, 6, 1), "gross_negligence", D(2024, 5, 20), False)

    rescinded, refund = collected(policy)
    assert (rescinded.refund, refund.amount, refund.reason) == (Decimal("1200.00"), Decimal("1200.00"), "rescission")


# -- claims hook, cover and terminal states ------------------------------------------------------


def test_claim_payments_reduce_the_remaining_sum_insured_and_may_not_exceed_it() -> None:
    policy = in_force(HOME, sum_insured=Decimal("100000"))

    policy.record_claim_payment("claim-1", Decimal("60000"), D(2024, 3, 1), loss_on=D(2024, 2, 1))

    [event] = collected(policy)
    assert (event.period, event.remaining_sum_insured) == (0, Decimal("40000.00"))
    assert policy.cover_on(D(2024, 2, 1)).remaining_sum_insured == Decimal("40000.00")
    refused(
        policy,
        lambda: policy.record_claim_payment("claim-2", Decimal("40000.01"), D(2024, 3, 2)),
        DomainError,
        "exceeds-remaining-sum-insured",
    )


def test_claims_are_not_paid_on_unissued_or_rescinded_policies() -> None:
    unissued = accepted()
    rescinded = in_force()
    rescinded.rescind(D(2024, 6, 1), "intentional", D(2024, 6, 1), False)
    rescinded.collect_events()

    refused(unissued, lambda: unissued.record_claim_payment("c", 1, START), InvalidTransition, "policy-not-issued")
    refused(rescinded, lambda: rescinded.record_claim_payment("c", 1, D(2024, 6, 2)), DomainError, "policy-rescinded")


def test_the_waiting_period_ends_on_start_plus_the_waiting_days() -> None:
    policy = in_force(TERM_LIFE)

    # counted from the day after the start (Civil Code Art. 201): day 90 is its last day
    assert policy.cover_on(START + 90 * DAYS).in_waiting_period is True
    assert policy.cover_on(START + 91 * DAYS).in_waiting_period is False


def test_cover_is_described_with_product_version_exclusions_and_period() -> None:
    policy = in_force(TERM_LIFE)

    cover = policy.cover_on(START)

    assert (cover.product_code, cover.product_version, cover.line) == ("TERM_LIFE", 2, "life")
    assert (cover.period_start, cover.period_end) == (START, D(2026, 1, 9))
    assert cover.exclusions == ("suicide within two years",)
    assert policy.cover_on(START - DAYS).in_force is False


@pytest.mark.parametrize(
    "command",
    [
        lambda p: p.pay_premium(1200, D(2024, 8, 1), "x"),
        lambda p: p.surrender(D(2024, 8, 1)),
        lambda p: p.sign_receipt(D(2024, 8, 1)),
        lambda p: p.change("contacts", {"contacts": {"phone": "13800138000"}}, "D", D(2024, 8, 1)),
        lambda p: p.rescind(D(2024, 8, 1), "intentional", D(2024, 8, 1), False),
        lambda p: p.request_reinstatement(D(2024, 8, 1)),
    ],
)
def test_nothing_moves_a_policy_out_of_a_terminal_state(command: Any) -> None:
    policy = in_force()
    policy.surrender(D(2024, 7, 1))
    policy.collect_events()

    refused(policy, lambda: command(policy), InvalidTransition, "invalid-policy-transition")
    policy.advance_time(D(2030, 1, 1))
    assert (policy.collect_events(), policy.next_due_date()) == ([], None)
