"""Inspection and medical examination of a referred case (审核检验, guide 6.1.2 (2); domain.policy.examinations):
the order and its clock (the last day and the day after, and around a public holiday), the report as a
finding, and what a decision must carry. A refused command records nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.policy.aggregate import Policy
from domain.policy.examination_events import EXAMINATION_CHECK
from domain.policy.examinations import EXAMINATION_DAYS
from tests.builders.policies import HOME, accepted, applied, findings, new_events, refused

D = date


def referred(on: date = D(2025, 3, 3), **overrides: Any) -> Policy:
    """An application referred by automatic underwriting on `on` (an adverse disclosure)."""
    policy = applied(applied_on=on, **overrides)
    policy.start_underwriting(on=on)
    policy.record_automatic_underwriting(findings("refer"), "referred", on=on)
    policy.collect_events()
    return policy


def order(policy: Policy, on: date, kind: str = "medical") -> int:
    no = policy.order_examination(kind, "blood pressure readings at application", ordered_by="uw-1", on=on)
    assert new_events(policy) == ["ExaminationOrdered"]
    return no


def report(policy: Policy, no: int, on: date, result: str = "standard", **extra: Any) -> None:
    policy.report_examination(
        no, examiner="Dr. Wang, Ruijin clinic", examined_on=on, result=result, summary="findings", on=on, **extra
    )
    assert new_events(policy) == ["ExaminationReported"]


def decide(policy: Policy, decision: str, on: date, **extra: Any) -> None:
    policy.decide(
        decision,
        underwriter_id="uw-1",
        role="underwriter",
        reason="as examined",
        annual_premium=Decimal("1300"),
        installment=Decimal("1300"),
        decided_on=on,
        **extra,
    )


# --- the order and its clock -----------------------------------------------------------------------


def test_an_examination_is_due_fifteen_days_after_the_order_and_overdue_the_day_after() -> None:
    policy = referred(D(2025, 3, 3))

    no = order(policy, D(2025, 3, 3))  # Monday; counting starts on the 4th (Art. 201)

    (item,) = policy.outstanding_examinations()
    assert (no, item["due_on"], item["due_moved_because"]) == (1, D(2025, 3, 18), None)
    assert EXAMINATION_DAYS == 15


def test_a_last_day_on_a_public_holiday_moves_to_the_next_working_day() -> None:
    policy = referred(D(2025, 9, 16))

    order(policy, D(2025, 9, 16))  # the 15th day is 2025-10-01, National Day; 10-01 … 10-08 are rest days

    (item,) = policy.outstanding_examinations()
    assert item["due_on"] == D(2025, 10, 9)
    assert "2025-10-01" in item["due_moved_because"]


def test_the_kind_must_suit_the_product_line() -> None:
    life, home = referred(), referred(product=HOME)

    refused(life, lambda: life.order_examination("property_survey", "site", ordered_by="uw-1", on=D(2025, 3, 3)))
    refused(home, lambda: home.order_examination("medical", "health", ordered_by="uw-1", on=D(2025, 3, 3)))
    assert home.order_examination("property_survey", "wiring", ordered_by="uw-1", on=D(2025, 3, 3)) == 1


def test_only_a_referred_case_can_be_examined() -> None:
    policy = accepted()

    refused(
        policy,
        lambda: policy.order_examination("medical", "x", ordered_by="uw-1", on=D(2024, 1, 10)),
        InvalidTransition,
        "invalid-policy-transition",
    )


def test_the_order_needs_a_reason_and_a_known_kind() -> None:
    policy = referred()

    for kind, reason, field in (("medical", "", "reason"), ("x-ray", "lungs", "kind")):

        def ordering(kind: str = kind, reason: str = reason) -> None:
            policy.order_examination(kind, reason, ordered_by="uw-1", on=D(2025, 3, 3))

        assert refused(policy, ordering, InvalidValue).field == field


# --- the report ---------------------------------------------------------------------------------------


def test_a_report_is_recorded_as_a_finding_of_the_case() -> None:
    policy = referred()
    no = order(policy, D(2025, 3, 3))

    report(policy, no, D(2025, 3, 10), "conditions", loading_pct="50", exclusions=["hypertension"])

    assert policy.outstanding_examinations() == []
    finding = policy.findings[-1]
    assert (finding["check"], finding["outcome"], finding["code"]) == (
        EXAMINATION_CHECK,
        "refer",
        "examination-conditions",
    )
    assert finding["data"]["loading_pct"] == "50.00" and finding["data"]["exclusions"] == ["hypertension"]
    assert policy.examinations[0]["examiner"] == "Dr. Wang, Ruijin clinic"


def test_a_report_must_match_its_result_and_dates() -> None:
    policy = referred()
    no = order(policy, D(2025, 3, 3))

    def attempt(no: int = no, **fields: Any) -> InvalidValue:
        arguments: dict[str, Any] = dict(
            examiner="Dr. Wang", examined_on=D(2025, 3, 5), result="standard", summary="ok", on=D(2025, 3, 6)
        )
        arguments.update(fields)
        return refused(policy, lambda: policy.report_examination(no, **arguments), InvalidValue)

    assert attempt(result="conditions").field == "loading_pct"
    assert attempt(loading_pct="25").field == "loading_pct"
    assert attempt(examined_on=D(2025, 3, 2)).field == "examined_on"
    assert attempt(examined_on=D(2025, 3, 7)).field == "examined_on"
    assert attempt(summary="").field == "summary"
    assert attempt(no=2).field == "no"


def test_an_examination_is_reported_once() -> None:
    policy = referred()
    no = order(policy, D(2025, 3, 3))
    report(policy, no, D(2025, 3, 5))

    refused(
        policy,
        lambda: policy.report_examination(
            no, examiner="x", examined_on=D(2025, 3, 5), result="standard", summary="again", on=D(2025, 3, 6)
        ),
        DomainError,
        "examination-already-reported",
    )


# --- what the decision must carry ------------------------------------------------------------------------


def test_no_acceptance_or_offer_while_an_examination_is_outstanding() -> None:
    policy = referred()
    order(policy, D(2025, 3, 3))

    refused(policy, lambda: decide(policy, "accept", D(2025, 3, 4)), DomainError, "examination-outstanding")
    refused(
        policy,
        lambda: decide(policy, "offer_with_conditions", D(2025, 3, 4), loading_pct="50"),
        DomainError,
        "examination-outstanding",
    )
    decide(policy, "postpone", D(2025, 3, 4))  # a postponement (or decline) closes the case all the same
    assert policy.status == "postponed" and policy.outstanding_examinations() == []


def test_an_offer_carries_at_least_the_loading_and_every_exclusion_the_examinations_call_for() -> None:
    policy = referred()
    first, second = order(policy, D(2025, 3, 3)), order(policy, D(2025, 3, 3))
    report(policy, first, D(2025, 3, 5), "conditions", loading_pct="75")
    report(policy, second, D(2025, 3, 6), "conditions", exclusions=["knee injury"])

    refused(policy, lambda: decide(policy, "accept", D(2025, 3, 7)), DomainError, "examination-conditions-not-applied")
    for loading, exclusions in (("74.99", ["knee injury"]), ("75", [])):

        def offering(loading: str = loading, exclusions: list[str] = exclusions) -> None:
            decide(policy, "offer_with_conditions", D(2025, 3, 7), loading_pct=loading, exclusions=exclusions)

        refused(policy, offering, DomainError, "examination-conditions-not-applied")
    decide(policy, "offer_with_conditions", D(2025, 3, 7), loading_pct="75", exclusions=["knee injury", "back"])
    assert (policy.status, policy.loading_pct) == ("offered_with_conditions", Decimal("75.00"))


def test_a_standard_result_leaves_acceptance_open_and_a_decline_only_decline_or_postpone() -> None:
    standard, declining = referred(), referred()
    report(standard, order(standard, D(2025, 3, 3)), D(2025, 3, 4))
    report(declining, order(declining, D(2025, 3, 3)), D(2025, 3, 4), "decline")

    decide(standard, "accept", D(2025, 3, 5))
    assert standard.status == "accepted"
    refused(
        declining,
        lambda: decide(declining, "offer_with_conditions", D(2025, 3, 5), loading_pct="200"),
        DomainError,
        "examination-calls-for-decline",
    )
    decide(declining, "decline", D(2025, 3, 5))
    assert declining.status == "declined"


@pytest.mark.parametrize("day", [D(2025, 3, 2)])
def test_an_order_cannot_be_dated_before_the_last_recorded_date(day: date) -> None:
    policy = referred(D(2025, 3, 3))

    refused(
        policy,
        lambda: policy.order_examination("medical", "x", ordered_by="uw-1", on=day),
        DomainError,
        "date-before-last-event",
    )
