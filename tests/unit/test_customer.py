"""Customer rules (SPEC §4): one test per rule; a refused command records no event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import reduce
from typing import Any

import pytest
from eventsourcing.utils import resolve_topic

from domain import clock
from domain.customer.aggregate import LIFECYCLE_STAGES, LIFECYCLE_TRANSITIONS, SEGMENTS, Customer
from domain.customer.rules import enterprise_identity_key, individual_identity_key
from domain.errors import DomainError, InvalidTransition, InvalidValue
from tests.builders.customer_aggregates import (
    an_enterprise,
    an_individual,
    enterprise_details,
    individual_details,
    last_event,
    refused,
)

PAST = datetime(2024, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
A_RISK = {"description": "sole earner", "category": "personal", "likelihood": 3, "severity": 5}


# -- registration ------------------------------------------------------------------------------


def test_registering_an_individual_derives_birth_date_and_gender_from_the_id_number() -> None:
    customer = Customer.register_individual(**individual_details())

    [event] = customer.collect_events()
    assert isinstance(event, Customer.IndividualRegistered)
    assert event.birth_date == date(1949, 12, 31)
    assert event.gender == "female"
    assert event.annual_income == Decimal("120000.00")
    assert customer.kind == "individual"
    assert (customer.birth_date, customer.gender) == (date(1949, 12, 31), "female")


def test_a_new_customer_is_a_prospect_without_segment_consents_or_history() -> None:
    customer = an_individual()

    assert customer.lifecycle_stage == "prospect"
    assert customer.segment is None
    assert customer.consents == set()
    assert (customer.interactions_count, customer.surveys_count) == (0, 0)
    assert (customer.last_needs, customer.last_risk) == (None, None)


@pytest.mark.parametrize("income", [120000, "120000", Decimal("120000"), "119999.995"])
def test_annual_income_is_stored_as_a_decimal_in_cents(income: Any) -> None:
    customer = an_individual(annual_income=income)

    assert customer.annual_income == Decimal("120000.00")


def test_contacts_may_be_empty_at_registration() -> None:
    customer = an_individual(contacts=None)

    assert customer.contacts == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "x" * 201),
        ("id_number", "110105194912310021"),
        ("occupation", "  "),
        ("occupation_class", 0),
        ("occupation_class", 7),
        ("occupation_class", True),
        ("family_status", "engaged"),
        ("dependants", -1),
        ("annual_income", -1),
        ("annual_income", "lots"),
        ("annual_income", "NaN"),
        ("annual_income", "1e20"),
    ],
)
def test_registering_an_individual_with_an_invalid_field_is_refused_naming_it(field: str, value: Any) -> None:
    with pytest.raises(InvalidValue) as raised:
        Customer.register_individual(**individual_details(**{field: value}))

    assert raised.value.field == field


@pytest.mark.parametrize(
    ("contacts", "field"),
    [
        ({"phone": "12012345678"}, "contacts.phone"),
        ({"phone": "call me"}, "contacts.phone"),
        ({"email": "not-an-email"}, "contacts.email"),
        ({"fax": "010-1234567"}, "contacts.fax"),
        ("13800138000", "contacts"),
    ],
)
def test_registering_with_invalid_contacts_is_refused_naming_the_contact(contacts: Any, field: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        Customer.register_individual(**individual_details(contacts=contacts))

    assert raised.value.field == field


def test_registering_an_enterprise_normalises_its_credit_code() -> None:
    customer = Customer.register_enterprise(**enterprise_details(credit_code="91350100m000100y43"))

    [event] = customer.collect_events()
    assert isinstance(event, Customer.EnterpriseRegistered)
    assert event.credit_code == "91350100M000100Y43"
    assert event.annual_revenue == Decimal("5000000.00")
    assert (customer.kind, customer.id_number, customer.birth_date) == ("enterprise", None, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("credit_code", "91350100M000100Y44"),
        ("industry", ""),
        ("size", "huge"),
        ("headcount", -1),
        ("headcount", "40"),
        ("annual_revenue", "-0.01"),
        ("contact_person", None),
    ],
)
def test_registering_an_enterprise_with_an_invalid_field_is_refused_naming_it(field: str, value: Any) -> None:
    with pytest.raises(InvalidValue) as raised:
        Customer.register_enterprise(**enterprise_details(**{field: value}))

    assert raised.value.field == field


def test_the_identity_key_is_the_resident_id_or_the_credit_code() -> None:
    individual, enterprise = an_individual(id_number="11010519491231002x"), an_enterprise()

    assert individual.identity_key == "resident-id:11010519491231002X"
    assert enterprise.identity_key == "credit-code:91350100M000100Y43"
    assert individual_identity_key("11010519491231002x") == individual.identity_key
    assert enterprise_identity_key("91350100m000100y43") == enterprise.identity_key


def test_a_customer_can_be_registered_under_a_given_id() -> None:
    customer = an_individual(customer_id=Customer.create_id())

    assert customer.version == 1


# -- contacts and profile ----------------------------------------------------------------------


def test_changing_contacts_replaces_them_and_drops_blank_entries() -> None:
    customer = an_individual()

    customer.change_contacts({"phone": "010-88886666", "email": " a@b.cn ", "address": ""})

    assert last_event(customer).contacts == {"phone": "010-88886666", "email": "a@b.cn"}
    assert customer.contacts == {"phone": "010-88886666", "email": "a@b.cn"}


def test_changing_contacts_to_none_at_all_is_refused() -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.change_contacts({"phone": None}), InvalidValue)

    assert error.field == "contacts"


def test_changing_contacts_to_an_invalid_phone_is_refused() -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.change_contacts({"phone": "12345"}), InvalidValue)

    assert error.field == "contacts.phone"


def test_changing_contacts_to_the_same_contacts_is_refused() -> None:
    customer = an_individual()

    same = {"phone": "13800138000"}

    error = refused(customer, lambda: customer.change_contacts(same), DomainError)

    assert error.code == "contacts-unchanged"


def test_updating_the_profile_records_only_the_values_that_change() -> None:
    customer = an_individual()

    customer.update_profile({"occupation_class": 3, "annual_income": "150000", "name": "张三"})

    changes = last_event(customer).changes
    assert changes == {"occupation_class": 3, "annual_income": Decimal("150000.00")}
    assert (customer.occupation_class, customer.annual_income) == (3, Decimal("150000.00"))


def test_an_enterprise_profile_can_be_updated() -> None:
    customer = an_enterprise()

    customer.update_profile({"size": "medium", "headcount": 120})

    assert (customer.size, customer.headcount) == ("medium", 120)


def test_an_empty_profile_update_is_refused() -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.update_profile({}), InvalidValue)

    assert error.field == "changes"


@pytest.mark.parametrize("field", ["industry", "id_number", "birth_date", "segment"])
def test_a_profile_update_of_a_field_the_kind_does_not_allow_is_refused(field: str) -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.update_profile({field: "x"}), InvalidValue)

    assert error.field == field


def test_a_profile_update_is_validated_as_at_registration() -> None:
    customer = an_enterprise()

    error = refused(customer, lambda: customer.update_profile({"headcount": -5}), InvalidValue)

    assert error.field == "headcount"


def test_a_profile_update_that_changes_nothing_is_refused() -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.update_profile({"dependants": 2}), DomainError)

    assert error.code == "profile-unchanged"


# -- segment and lifecycle ----------------------------------------------------------------------


def test_assigning_a_segment_records_it_with_its_basis() -> None:
    customer = an_individual()

    customer.assign_segment("young_family", "married, two dependants")

    event = last_event(customer)
    assert (event.segment, event.basis) == ("young_family", "married, two dependants")
    assert customer.segment == "young_family"


@pytest.mark.parametrize("segment", [*SEGMENTS["enterprise"], "vip"])
def test_a_segment_that_does_not_fit_an_individual_is_refused(segment: str) -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.assign_segment(segment, "reason"), InvalidValue)

    assert error.field == "segment"


def test_a_segment_without_a_basis_is_refused() -> None:
    customer = an_enterprise()

    error = refused(customer, lambda: customer.assign_segment("sme", " "), InvalidValue)

    assert error.field == "basis"


def test_assigning_the_current_segment_again_is_refused() -> None:
    customer = an_enterprise()
    customer.assign_segment("sme", "40 staff")
    customer.collect_events()

    error = refused(customer, lambda: customer.assign_segment("sme", "still 40 staff"), DomainError)

    assert error.code == "segment-unchanged"


PATH_TO = {"prospect": [], "active": ["active"], "dormant": ["active", "dormant"], "churned": ["churned"]}
ALLOWED = [(a, b) for a in LIFECYCLE_STAGES for b in LIFECYCLE_TRANSITIONS[a]]
REFUSED = [(a, b) for a in LIFECYCLE_STAGES for b in LIFECYCLE_STAGES if b not in LIFECYCLE_TRANSITIONS[a]]


def a_customer_at(stage: str) -> Customer:
    customer = an_individual()
    for step in PATH_TO[stage]:
        customer.change_lifecycle_stage(step, "setting up")
    customer.collect_events()
    return customer


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_an_allowed_lifecycle_move_records_the_previous_stage(current: str, target: str) -> None:
    customer = a_customer_at(current)

    customer.change_lifecycle_stage(target, "policy status changed")

    event = last_event(customer)
    assert (event.previous, event.stage, event.reason) == (current, target, "policy status changed")
    assert customer.lifecycle_stage == target


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_a_lifecycle_move_not_allowed_is_refused(current: str, target: str) -> None:
    customer = a_customer_at(current)

    error = refused(customer, lambda: customer.change_lifecycle_stage(target, "try"), InvalidTransition)

    assert error.code == "invalid-lifecycle-transition"


@pytest.mark.parametrize(("stage", "reason", "field"), [("lost", "why", "stage"), ("active", "", "reason")])
def test_a_lifecycle_move_with_invalid_input_is_refused(stage: str, reason: str, field: str) -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.change_lifecycle_stage(stage, reason), InvalidValue)

    assert error.field == field


# -- interactions and consents ----------------------------------------------------------------


def test_recording_an_interaction_counts_it_and_stores_the_time_in_utc() -> None:
    customer = an_individual()

    customer.record_interaction("care_call", "birthday call", PAST, "agent-7")

    event = last_event(customer)
    assert event.occurred_at == PAST and event.occurred_at.tzinfo == UTC
    assert customer.interactions_count == 1


@pytest.mark.parametrize(
    ("kind", "summary", "occurred_at", "staff_id", "field"),
    [
        ("gossip", "x", PAST, "a", "kind"),
        ("visit", "", PAST, "a", "summary"),
        ("visit", "x", PAST.replace(tzinfo=None), "a", "occurred_at"),
        ("visit", "x", date(2024, 3, 1), "a", "occurred_at"),
        ("visit", "x", PAST, "", "staff_id"),
    ],
)
def test_an_interaction_with_invalid_input_is_refused(
    kind: str, summary: str, occurred_at: Any, staff_id: str, field: str
) -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.record_interaction(kind, summary, occurred_at, staff_id), InvalidValue)

    assert error.field == field


def test_an_interaction_in_the_future_is_refused() -> None:
    customer = an_individual()
    tomorrow = clock.now() + timedelta(days=1)

    error = refused(customer, lambda: customer.record_interaction("visit", "x", tomorrow, "a"), InvalidValue)

    assert error.field == "occurred_at"


def test_marketing_without_marketing_consent_is_refused() -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.record_interaction("marketing", "offer", PAST, "a"), DomainError)

    assert error.code == "no-marketing-consent"


def test_marketing_with_marketing_consent_is_recorded() -> None:
    customer = an_individual()
    customer.give_consent("marketing")

    customer.record_interaction("marketing", "offer", PAST, "a")

    assert customer.interactions_count == 1


def test_marketing_after_the_consent_was_withdrawn_is_refused() -> None:
    customer = an_individual()
    customer.give_consent("marketing")
    customer.withdraw_consent("marketing")
    customer.collect_events()

    error = refused(customer, lambda: customer.record_interaction("marketing", "offer", PAST, "a"), DomainError)

    assert error.code == "no-marketing-consent"


def test_giving_and_withdrawing_consent_changes_the_consents_held() -> None:
    customer = an_individual()

    customer.give_consent("health_data")
    customer.give_consent("data_processing")
    customer.withdraw_consent("health_data")

    assert customer.consents == {"data_processing"}
    names = [type(e).__name__ for e in customer.collect_events()]
    assert names == ["ConsentGiven", "ConsentGiven", "ConsentWithdrawn"]


def test_giving_a_consent_already_held_is_refused() -> None:
    customer = an_individual()
    customer.give_consent("marketing")
    customer.collect_events()

    error = refused(customer, lambda: customer.give_consent("marketing"), DomainError)

    assert error.code == "consent-unchanged"


def test_withdrawing_a_consent_not_held_is_refused() -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.withdraw_consent("third_party_sharing"), DomainError)

    assert error.code == "consent-unchanged"


def test_a_consent_for_an_unknown_purpose_is_refused() -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.give_consent("profiling"), InvalidValue)

    assert error.field == "purpose"


# -- needs, risks, surveys ---------------------------------------------------------------------


def test_analysing_needs_records_concerns_needs_and_budget() -> None:
    customer = an_individual()

    customer.analyse_needs(["children's education"], ["education endowment"], 8000)

    assert customer.last_needs == {
        "concerns": ["children's education"],
        "potential_needs": ["education endowment"],
        "budget": Decimal("8000.00"),
    }


@pytest.mark.parametrize(
    ("concerns", "needs", "budget", "field"),
    [
        ([], [], 1000, "concerns"),
        (["a", " "], [], 1000, "concerns[1]"),
        ([], "health", 1000, "potential_needs"),
        (["a"], [], -1, "budget"),
    ],
)
def test_a_needs_analysis_with_invalid_input_is_refused(concerns: Any, needs: Any, budget: Any, field: str) -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.analyse_needs(concerns, needs, budget), InvalidValue)

    assert error.field == field


@pytest.mark.parametrize(
    ("likelihood", "severity", "score", "priority"),
    [
        (5, 5, 25, "high"),
        (3, 5, 15, "high"),
        (3, 4, 12, "medium"),
        (2, 4, 8, "medium"),
        (2, 3, 6, "low"),
        (1, 1, 1, "low"),
    ],
)
def test_a_risk_scores_likelihood_times_severity_with_its_priority(
    likelihood: int, severity: int, score: int, priority: str
) -> None:
    customer = an_individual()

    customer.assess_risks([{**A_RISK, "likelihood": likelihood, "severity": severity}])

    [risk] = last_event(customer).risks
    assert (risk["score"], risk["priority"]) == (score, priority)


def test_the_overall_risk_is_the_highest_score_and_its_priority() -> None:
    customer = an_individual()

    customer.assess_risks(
        [{**A_RISK, "likelihood": 2, "severity": 2}, {**A_RISK, "category": "property", "likelihood": 4, "severity": 3}]
    )

    event = last_event(customer)
    assert (event.overall_score, event.priority) == (12, "medium")
    assert customer.last_risk == {"risks": event.risks, "overall_score": 12, "priority": "medium"}


@pytest.mark.parametrize(
    ("risks", "field"),
    [
        ([], "risks"),
        ([A_RISK, {**A_RISK, "likelihood": 6}], "risks[1].likelihood"),
        ([{**A_RISK, "severity": 0}], "risks[0].severity"),
        ([{**A_RISK, "category": "market"}], "risks[0].category"),
        ([{k: v for k, v in A_RISK.items() if k != "description"}], "risks[0].description"),
        ([{**A_RISK, "score": 25}], "risks[0].score"),
        (["fire"], "risks[0]"),
    ],
)
def test_a_risk_assessment_with_invalid_input_is_refused(risks: Any, field: str) -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.assess_risks(risks), InvalidValue)

    assert error.field == field


@pytest.mark.parametrize(
    ("scores", "average"), [((5, 4, 4, 3), "4.00"), ((5, 4, 4, 4), "4.25"), ((1, 2, 2, 2), "1.75")]
)
def test_a_satisfaction_survey_records_the_average_of_its_four_scores(
    scores: tuple[int, int, int, int], average: str
) -> None:
    customer = an_individual()

    customer.record_satisfaction_survey(*scores, comment="", related_id="claim-1")

    event = last_event(customer)
    assert event.average == Decimal(average)
    assert (event.comment, event.related_id) == ("", "claim-1")
    assert customer.surveys_count == 1


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((0, 3, 3, 3), "attitude"),
        ((3, 6, 3, 3), "speed"),
        ((3, 3, "5", 3), "quality"),
        ((3, 3, 3, None), "claims_convenience"),
    ],
)
def test_a_survey_score_outside_one_to_five_is_refused(args: tuple[Any, ...], field: str) -> None:
    customer = an_individual()

    error = refused(customer, lambda: customer.record_satisfaction_survey(*args), InvalidValue)

    assert error.field == field


def test_a_survey_with_a_blank_related_id_is_refused() -> None:
    customer = an_individual()

    def survey() -> None:
        customer.record_satisfaction_survey(3, 3, 3, 3, related_id=" ")

    error = refused(customer, survey, InvalidValue)

    assert error.field == "related_id"


# -- stored names and replay -------------------------------------------------------------------

EVENT_NAMES = [
    "IndividualRegistered",
    "EnterpriseRegistered",
    "ContactsChanged",
    "ProfileUpdated",
    "SegmentAssigned",
    "LifecycleStageChanged",
    "InteractionRecorded",
    "ConsentGiven",
    "ConsentWithdrawn",
    "NeedsAnalysed",
    "RisksAssessed",
    "SatisfactionSurveyed",
]


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_every_event_has_a_stable_versioned_topic(name: str) -> None:
    event_class = getattr(Customer, name)

    assert f"inscribe.customer.{name}.v1" == event_class.TOPIC
    assert resolve_topic(event_class.TOPIC) is event_class


def test_the_aggregate_topic_is_stable() -> None:
    assert resolve_topic("inscribe.customer.Customer") is Customer


def test_replaying_the_events_gives_the_live_state() -> None:
    customer = Customer.register_individual(**individual_details())
    customer.give_consent("marketing")
    customer.record_interaction("marketing", "offer", PAST, "a")
    customer.update_profile({"family_status": "divorced"})
    customer.assess_risks([A_RISK])
    customer.change_lifecycle_stage("active", "first policy in force")

    events = customer.collect_events()
    replayed = reduce(lambda state, event: event.mutate(state), events, None)

    assert vars(replayed) == vars(customer)
