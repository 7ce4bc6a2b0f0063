"""Automatic underwriting (SPEC §5, guide 6.2) and authority limits (6.3): one test per rule at its boundary."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.authority import check_claims_authority, check_underwriting_authority
from domain.customer.aggregate import Customer
from domain.errors import InsufficientAuthority, InvalidValue
from domain.policy.underwriting import (
    CHECKS,
    HARD_DECLINES,
    PASS_CODES,
    REFER_CODES,
    RELATIONSHIPS,
    History,
    Party,
    UnderwritingCase,
    age_on,
    assess,
)
from domain.product.model import RateBand
from tests.builders.underwriting import (
    CLEAN,
    TODAY,
    a_case,
    a_product,
    assessed,
    company,
    fake_quote,
    finding_of,
    person,
)

D = Decimal


# -- the clean case -----------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["life", "health", "accident", "property", "liability", "credit"])
def test_a_clean_case_is_accepted_with_five_passing_findings(line: str) -> None:
    result = assessed(a_case(line))

    assert result.outcome == "accepted"
    assert [(f.outcome, f.code) for f in result.findings] == [("pass", PASS_CODES[c]) for c in CHECKS]
    assert result.reasons == ()
    assert result.annual_premium is not None and result.annual_premium > 0


def test_the_rate_finding_carries_the_premium_and_the_loadings_applied() -> None:
    case = a_case(
        insured=person(occupation_class=3),
        relationship="self",
        applicant=person(occupation_class=3),
        disclosures={"smoker": True, "hospital": True, "fit": False},
    )

    rated = assessed(case).finding("6.2.4-rate")

    assert (rated.outcome, rated.code) == ("refer", "adverse-disclosure")
    assert rated.data["occupation_loading"] == D("0.25") and rated.data["health_loading_pct"] == D(105)
    assert rated.data["adverse_answers"] == ["smoker", "hospital", "fit"]
    # 1,000,000 / 1,000 × 1.2 × 1.25 × 2.05
    assert rated.data["annual_premium"] == D("3075.00")


@pytest.mark.parametrize("line", ["life", "property", "credit"])
def test_the_catalogues_quote_plugs_in(line: str) -> None:
    from domain.product.catalogue import quote

    case = a_case(line, disclosures={**CLEAN, "smoker": True} if line == "life" else {})
    result = assess(case, quote)

    assert result.outcome == ("referred" if line == "life" else "accepted")
    assert result.finding("6.2.4-rate").data["annual_premium"] == result.annual_premium
    assert result.annual_premium is not None and result.annual_premium > 0


# -- 6.2.1 eligibility and insurable interest -------------------------------------------------------


@pytest.mark.parametrize(
    "applicant, relationship, consent, expected",
    [
        (person(), "self", False, ("pass", "eligible")),
        (person(), "spouse", False, ("pass", "eligible")),
        (person(), "parent", False, ("pass", "eligible")),
        (person(), "child", False, ("pass", "eligible")),
        (company(), "employee", False, ("pass", "eligible")),
        (person(), "employee", False, ("decline", "no-insurable-interest")),
        (company(), "spouse", False, ("decline", "no-insurable-interest")),
        (person(), "other_with_consent", True, ("pass", "eligible")),
        (person(), "other_with_consent", False, ("decline", "no-insurable-interest")),
        (person(), "owner", False, ("decline", "no-insurable-interest")),
    ],
)
def test_insurable_interest_in_a_person_art_31(
    applicant: Party, relationship: str, consent: bool, expected: tuple[str, str]
) -> None:
    case = a_case("health", applicant=applicant, relationship=relationship, insured_consent=consent)
    assert finding_of(case, "6.2.1-eligibility") == expected


@pytest.mark.parametrize("consent, expected", [(False, ("decline", "consent-required")), (True, ("pass", "eligible"))])
def test_death_cover_on_another_adult_needs_the_insureds_consent_art_34(
    consent: bool, expected: tuple[str, str]
) -> None:
    assert finding_of(a_case(relationship="spouse", insured_consent=consent), "6.2.1-eligibility") == expected
    assert (
        finding_of(a_case(relationship="child", insured=person(18), insured_consent=consent), "6.2.1-eligibility")
        == expected
    )


@pytest.mark.parametrize(
    "si, existing, expected",
    [
        (D("500000"), D(0), ("pass", "eligible")),
        (D("500000.01"), D(0), ("refer", "minor-death-cover-limit")),
        (D("400000"), D("100000.01"), ("refer", "minor-death-cover-limit")),
    ],
)
def test_a_parent_may_buy_death_cover_on_a_minor_child_up_to_500000_in_all(
    si: Decimal, existing: Decimal, expected: tuple[str, str]
) -> None:
    case = a_case(
        relationship="child",
        insured=person(17, annual_income=None),
        sum_insured=si,
        history=History(existing_sum_insured_same_line=existing),
    )
    assert finding_of(case, "6.2.1-eligibility") == expected


def test_nobody_but_a_parent_may_buy_death_cover_on_a_minor_art_33() -> None:
    case = a_case(relationship="other_with_consent", insured=person(17), insured_consent=True)
    assert finding_of(case, "6.2.1-eligibility") == ("decline", "death-cover-on-minor")


@pytest.mark.parametrize("age, expected", [(17, ("refer", "applicant-minor")), (18, ("pass", "eligible"))])
def test_a_minor_applicant_is_referred(age: int, expected: tuple[str, str]) -> None:
    assert finding_of(a_case("health", applicant=person(age), insured=person(age)), "6.2.1-eligibility") == expected


def test_an_unregistered_applicant_is_declined() -> None:
    case = a_case(applicant=person(registered=False))
    assert finding_of(case, "6.2.1-eligibility") == ("decline", "applicant-not-registered")


@pytest.mark.parametrize(
    "line, insured, relationship, expected",
    [
        ("property", person(), "owner", "pass"),
        ("property", person(), "lessee", "pass"),
        ("property", person(), "mortgagee", "pass"),
        ("property", company(), "enterprise", "pass"),
        ("property", person(), "enterprise", "decline"),
        ("property", person(), "self", "decline"),
        ("liability", company(), "lessee", "pass"),
        ("liability", company(), "mortgagee", "decline"),
        ("credit", company(), "enterprise", "pass"),
        ("credit", company(), "owner", "decline"),
    ],
)
def test_insurable_interest_in_the_subject(line: str, insured: Party, relationship: str, expected: str) -> None:
    case = a_case(line, insured=insured, relationship=relationship)
    assert finding_of(case, "6.2.1-eligibility")[0] == expected


# -- 6.2.2 the subject --------------------------------------------------------------------------------


@pytest.mark.parametrize("age, expected", [(17, "decline"), (18, "pass"), (60, "pass"), (61, "decline")])
def test_the_insured_age_must_be_within_the_product_range(age: int, expected: str) -> None:
    case = a_case("health", product=a_product("health", insured_age_min=18), insured=person(age), relationship="spouse")
    assert finding_of(case, "6.2.2-subject") == (
        expected,
        "age-out-of-range" if expected == "decline" else "subject-acceptable",
    )


@pytest.mark.parametrize(
    "line, insured, expected",
    [
        ("life", company(), "decline"),
        ("property", person(), "pass"),
        ("property", company(), "pass"),
        ("liability", person(), "decline"),
        ("credit", person(), "decline"),
    ],
)
def test_each_line_takes_only_its_kind_of_insured(line: str, insured: Party, expected: str) -> None:
    case = a_case(
        line,
        insured=insured,
        relationship="owner" if line != "life" else "employee",
        applicant=company() if line == "life" else person(),
    )
    assert finding_of(case, "6.2.2-subject") == (
        expected,
        "insured-kind-not-allowed" if expected == "decline" else "subject-acceptable",
    )


@pytest.mark.parametrize(
    "occupation, expected", [(4, ("pass", "subject-acceptable")), (5, ("decline", "occupation-not-insurable"))]
)
def test_an_occupation_class_without_a_loading_is_not_insurable(occupation: int, expected: tuple[str, str]) -> None:
    insured = person(occupation_class=occupation)
    assert finding_of(a_case(insured=insured, applicant=insured), "6.2.2-subject") == expected


@pytest.mark.parametrize(
    "age, expected", [(50, ("pass", "subject-acceptable")), (51, ("decline", "age-at-expiry-out-of-range"))]
)
def test_the_insured_must_not_outgrow_the_product_by_expiry(age: int, expected: tuple[str, str]) -> None:
    case = a_case(product=a_product(max_expiry_age=60), insured=person(age), applicant=person(age))
    assert finding_of(case, "6.2.2-subject") == expected


def test_an_individual_insuring_a_home_needs_an_insurable_occupation_too() -> None:
    case = a_case("property", insured=person(occupation_class=6), relationship="owner")
    assert finding_of(case, "6.2.2-subject") == ("decline", "occupation-not-insurable")


# -- 6.2.3 the sum insured ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "si, expected", [(D("9999.99"), "decline"), (D(10000), "pass"), (D(5000000), "pass"), (D("5000000.01"), "decline")]
)
def test_the_sum_insured_must_be_within_the_product_limits(si: Decimal, expected: str) -> None:
    rich = person(annual_income=D(10000000))
    assert finding_of(a_case(applicant=rich, insured=rich, sum_insured=si), "6.2.3-sum-insured")[0] == expected


@pytest.mark.parametrize(
    "si, existing, income, expected",
    [
        (D(2000000), D(0), D(200000), ("pass", "sum-insured-justified")),
        (D("2000000.01"), D(0), D(200000), ("refer", "sum-insured-exceeds-income-multiple")),
        (D(1500000), D("500000.01"), D(200000), ("refer", "sum-insured-exceeds-income-multiple")),
        (D(100000), D(0), None, ("refer", "income-unknown")),
        (D(100000), D(0), D(0), ("refer", "income-unknown")),
    ],
)
def test_personal_cover_is_justified_by_income_times_the_product_multiple(
    si: Decimal, existing: Decimal, income: Decimal | None, expected: tuple[str, str]
) -> None:
    insured = person(annual_income=income)
    case = a_case(
        applicant=insured, insured=insured, sum_insured=si, history=History(existing_sum_insured_same_line=existing)
    )
    assert finding_of(case, "6.2.3-sum-insured") == expected


def test_a_minor_childs_cover_is_justified_by_the_parents_income() -> None:
    case = a_case("health", relationship="child", insured=person(10, annual_income=None), sum_insured=D(2000000))
    assert finding_of(case, "6.2.3-sum-insured") == ("pass", "sum-insured-justified")


def test_a_product_without_an_income_multiple_needs_no_income() -> None:
    case = a_case(
        "health",
        product=a_product("health", max_income_multiple=None),
        insured=person(annual_income=None),
        relationship="spouse",
    )
    assert finding_of(case, "6.2.3-sum-insured") == ("pass", "sum-insured-justified")


@pytest.mark.parametrize(
    "value, existing, expected",
    [
        (D(500000), D(0), ("pass", "sum-insured-justified")),
        (D("499999.99"), D(0), ("refer", "sum-insured-exceeds-property-value")),
        (D(800000), D("300000.01"), ("refer", "sum-insured-exceeds-property-value")),
        (None, D(0), ("refer", "property-value-unknown")),
    ],
)
def test_property_cover_is_at_most_the_declared_value(
    value: Decimal | None, existing: Decimal, expected: tuple[str, str]
) -> None:
    case = a_case("property", declared_property_value=value, history=History(existing_sum_insured_same_line=existing))
    assert finding_of(case, "6.2.3-sum-insured") == expected


@pytest.mark.parametrize("line", ["liability", "credit"])
@pytest.mark.parametrize(
    "revenue, expected",
    [
        (D(1000000), ("pass", "sum-insured-justified")),
        (D("999999.99"), ("refer", "sum-insured-exceeds-revenue-share")),
        (None, ("refer", "revenue-unknown")),
    ],
)
def test_liability_and_credit_cover_is_at_most_half_the_revenue(
    line: str, revenue: Decimal | None, expected: tuple[str, str]
) -> None:
    case = a_case(line, insured=company(annual_revenue=revenue), sum_insured=D(500000))
    assert finding_of(case, "6.2.3-sum-insured") == expected


# -- 6.2.4 the rate ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers, expected",
    [
        ({"smoker": True, "hospital": False, "fit": True}, ("refer", "adverse-disclosure")),
        ({"smoker": False, "hospital": False, "fit": False}, ("refer", "adverse-disclosure")),
        (CLEAN, ("pass", "standard-rate")),
    ],
)
def test_adverse_disclosures_are_referred(answers: dict[str, bool], expected: tuple[str, str]) -> None:
    assert finding_of(a_case(disclosures=answers), "6.2.4-rate") == expected


def test_no_premium_from_the_rate_table_is_referred() -> None:
    product = a_product(rate_bands=(RateBand(0, 30, D(1), D(1)),))

    result = assessed(a_case(product=product))

    assert (result.outcome, result.finding("6.2.4-rate").code) == ("referred", "rate-unavailable")
    assert result.annual_premium is None


# -- 6.2.5 reputation and moral hazard -----------------------------------------------------------------


@pytest.mark.parametrize(
    "history, expected",
    [
        (History(earlier_declines=1), ("refer", "earlier-decline")),
        (History(rescissions=1), ("refer", "earlier-rescission")),
        (History(fraud_flags=1), ("refer", "fraud-flag")),
        (History(claims_last_3_years=2), ("pass", "good-standing")),
        (History(claims_last_3_years=3), ("refer", "frequent-claims")),
    ],
)
def test_reputation_and_moral_hazard(history: History, expected: tuple[str, str]) -> None:
    assert finding_of(a_case(history=history), "6.2.5-moral-hazard") == expected


@pytest.mark.parametrize(
    "history, expected",
    [
        (History(earlier_declines=1), ("refer", "earlier-decline")),
        (History(rescissions=1), ("refer", "earlier-rescission")),
        (History(fraud_flags=1), ("refer", "fraud-flag")),
        (History(claims_last_3_years=2), ("pass", "good-standing")),  # the last count that passes
        (History(claims_last_3_years=3), ("refer", "frequent-claims")),  # one more refers
        (History(), ("pass", "good-standing")),
    ],
)
def test_the_applicants_own_record_gives_a_finding_of_its_own(history: History, expected: tuple[str, str]) -> None:
    """6.2.5 looks at the applicant as well as the insured: one finding each, the insured's record clean."""
    result = assess(a_case(relationship="spouse", insured_consent=True, applicant_history=history), fake_quote)

    insured, applicant = result.findings[4], result.findings[5]
    assert [f.check for f in result.findings] == [*CHECKS, "6.2.5-moral-hazard"]
    assert (insured.outcome, insured.code, insured.data["party"]) == ("pass", "good-standing", "insured")
    assert (applicant.outcome, applicant.code, applicant.data["party"]) == (*expected, "applicant")
    assert result.outcome == ("referred" if expected[0] == "refer" else "accepted")
    if expected[0] == "refer":
        assert applicant.detail.startswith("the applicant: ")


def test_several_issues_in_one_check_give_one_finding_listing_the_others() -> None:
    found = assessed(a_case(history=History(earlier_declines=1, claims_last_3_years=5))).finding("6.2.5-moral-hazard")
    assert (found.code, found.data["other_issues"]) == ("earlier-decline", ["frequent-claims"])


# -- outcomes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, check, code, outcome, also",
    [
        (dict(relationship="spouse"), "6.2.1-eligibility", "consent-required", "declined", {}),
        # outside the product's ages there is no rate either
        (
            dict(insured=person(61), applicant=person(61)),
            "6.2.2-subject",
            "age-out-of-range",
            "declined",
            {"6.2.4-rate": ("refer", "rate-unavailable")},
        ),
        (dict(sum_insured=D("2000000.01")), "6.2.3-sum-insured", "sum-insured-exceeds-income-multiple", "referred", {}),
        (dict(disclosures={**CLEAN, "smoker": True}), "6.2.4-rate", "adverse-disclosure", "referred", {}),
        (dict(history=History(claims_last_3_years=3)), "6.2.5-moral-hazard", "frequent-claims", "referred", {}),
    ],
)
def test_an_adverse_case_has_one_finding_per_check_and_the_right_outcome(
    overrides: dict[str, Any], check: str, code: str, outcome: str, also: dict[str, tuple[str, str]]
) -> None:
    result = assessed(a_case(**overrides))

    assert result.outcome == outcome
    assert [(f.check, f.code) for f in result.findings if f.outcome == result.reasons[0].outcome] == [(check, code)]
    others = {f.check: (f.outcome, f.code) for f in result.findings if f.check != check}
    assert others == {c: also.get(c, ("pass", PASS_CODES[c])) for c in CHECKS if c != check}


def test_a_hard_break_declines_even_with_referrals_and_gives_only_the_declines_as_reasons() -> None:
    result = assessed(a_case(insured=person(61), applicant=person(61), history=History(fraud_flags=1)))
    assert result.outcome == "declined"
    assert [f.code for f in result.reasons] == ["age-out-of-range"]


def test_finding_codes_are_either_hard_declines_or_referrals() -> None:
    assert not HARD_DECLINES & REFER_CODES


@pytest.mark.parametrize(
    "overrides, field",
    [
        (dict(relationship="friend"), "relationship"),
        (dict(term_months=36), "term_months"),
        (dict(premium_mode="single"), "premium_mode"),
        (dict(sum_insured=D(0)), "sum_insured"),
        (dict(disclosures={**CLEAN, "pets": True}), "disclosure_answers.pets"),
        (dict(disclosures={"smoker": False, "hospital": False}), "disclosure_answers.fit"),
    ],
)
def test_a_case_the_product_does_not_offer_or_with_unanswered_questions_is_invalid_input(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as raised:
        a_case(**overrides)
    assert raised.value.field == field


def test_a_party_is_the_customer_as_of_the_application_date() -> None:
    customer = Customer.register_individual(
        name="张三",
        id_number="11010519491231002X",
        occupation="teacher",
        occupation_class=1,
        family_status="married",
        annual_income="120000",
    )

    assert Party.of(customer, date(2024, 12, 30)) == person(74, gender="female", annual_income=D(120000))
    assert age_on(date(1949, 12, 31), date(2024, 12, 31)) == 75


# -- authority (6.3) -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, amount, allowed",
    [
        ("underwriter", D(1000000), True),
        ("underwriter", D("1000000.01"), False),
        ("senior_underwriter", D("1e12"), True),
        ("admin", D("1e12"), True),
        ("agent", D(1), False),
        ("claims_manager", D(1), False),
    ],
)
def test_underwriting_authority(role: str, amount: Decimal, allowed: bool) -> None:
    if allowed:
        check_underwriting_authority(role, amount)
    else:
        with pytest.raises(InsufficientAuthority) as raised:
            check_underwriting_authority(role, amount)
        assert (raised.value.code, raised.value.status) == ("insufficient-authority", 403)


@pytest.mark.parametrize(
    "role, amount, allowed",
    [
        ("claims_handler", D(50000), True),
        ("claims_handler", D("50000.01"), False),
        ("claims_manager", D("1e12"), True),
        ("underwriter", D(1), False),
    ],
)
def test_claims_authority(role: str, amount: Decimal, allowed: bool) -> None:
    if allowed:
        check_claims_authority(role, amount)
    else:
        with pytest.raises(InsufficientAuthority):
            check_claims_authority(role, amount)


# -- properties -------------------------------------------------------------------------------------------

SEVERITY = {"accepted": 0, "referred": 1, "declined": 2}


@st.composite
def cases(draw: st.DrawFn) -> UnderwritingCase:
    line = draw(st.sampled_from(["life", "health", "accident", "property", "liability", "credit"]))
    product = a_product(line)

    def party() -> Party:
        if draw(st.booleans()):
            return company(annual_revenue=draw(st.none() | st.integers(0, 10**8).map(D)))
        return person(
            draw(st.integers(0, 80)),
            gender=draw(st.sampled_from(["male", "female"])),
            occupation_class=draw(st.integers(1, 6)),
            annual_income=draw(st.none() | st.integers(0, 10**6).map(D)),
            registered=draw(st.booleans()),
        )

    counts = st.integers(0, 4)
    return UnderwritingCase(
        applicant=party(),
        insured=party(),
        relationship=draw(st.sampled_from(RELATIONSHIPS)),
        product=product,
        sum_insured=D(draw(st.integers(1, 6 * 10**6))),
        term_months=draw(st.sampled_from(product.terms_months)),
        premium_mode=draw(st.sampled_from(product.premium_modes)),
        application_date=TODAY,
        insured_consent=draw(st.booleans()),
        disclosures={q.id: draw(st.booleans()) for q in product.disclosure_questions},
        declared_property_value=draw(st.none() | st.integers(0, 10**7).map(D)),
        history=History(draw(counts), draw(counts), draw(counts), draw(counts), D(draw(st.integers(0, 10**6)))),
    )


@given(cases())
def test_every_result_has_five_findings_in_order_and_is_accepted_iff_all_pass(case: UnderwritingCase) -> None:
    result = assessed(case)

    assert len(result.findings) == 5
    assert (result.outcome == "accepted") == all(f.outcome == "pass" for f in result.findings)
    assert (result.outcome == "declined") == any(f.outcome == "decline" for f in result.findings)
    assert all(
        f.code
        in (HARD_DECLINES if f.outcome == "decline" else REFER_CODES if f.outcome == "refer" else {PASS_CODES[f.check]})
        for f in result.findings
    )


@given(cases(), st.data())
def test_an_adverse_disclosure_never_makes_a_case_better(case: UnderwritingCase, data: st.DataObject) -> None:
    questions = case.product.disclosure_questions
    if not questions:
        return
    question = data.draw(st.sampled_from(questions))
    worse = replace(case, disclosures={**case.disclosures, question.id: question.adverse})

    before, after = assessed(case), assessed(worse)

    assert after.outcome != "accepted"
    assert SEVERITY[after.outcome] >= SEVERITY[before.outcome]


# -- an automatic decline: the written notice and other products (6.3.2 (1), 6.3.3) ----------------------


def test_an_automatic_decline_for_the_products_own_rules_suggests_the_same_lines_products_that_take_the_case() -> None:
    from domain.policy.underwriting import decline_notice, suggest_products

    declined = a_product("health", code="narrow", insured_age_max=50)
    wide = a_product("health", code="wide", insured_age_max=70)  # takes the insured at 58
    small = a_product("health", code="small", insured_age_max=70, sum_insured_max=D(500000))  # not the sum insured
    young = a_product("health", code="young", insured_age_max=55)  # not the age
    expiring = a_product(
        "health", code="expiring", insured_age_max=70, max_expiry_age=58
    )  # 59 at the shortest term's end
    rider = a_product("health", code="rider", kind="rider", insured_age_max=70)  # a rider is no product of its own
    other_line = a_product("accident", code="other-line", insured_age_max=70)
    case = a_case("health", product=declined, insured=person(58), applicant=person(58), term_months=120)
    result = assessed(case)

    suggested = suggest_products(case, result, [declined, wide, small, young, expiring, rider, other_line])
    notice = decline_notice(result, suggested)

    assert (result.outcome, [f.code for f in result.reasons]) == ("declined", ["age-out-of-range"])
    assert suggested == ("wide",)
    assert notice == (
        "Declined by automatic underwriting (6.3.2): 6.2.2-subject age-out-of-range: the insured's age "
        "is outside the product's insured ages (0–50). Other products to apply for (6.3.3): wide."
    )
    assert "58" not in notice  # the insured's own age is not repeated


def test_a_decline_the_case_would_meet_under_any_product_suggests_nothing() -> None:
    from domain.policy.underwriting import decline_notice, suggest_products

    wide = a_product("life", code="wide", insured_age_max=70)
    case = a_case("life", insured=person(40), relationship="spouse", insured_consent=False)  # Art. 34
    result = assessed(case)

    assert (result.outcome, [f.code for f in result.reasons]) == ("declined", ["consent-required"])
    assert suggest_products(case, result, [wide]) == ()
    assert decline_notice(result) == (
        "Declined by automatic underwriting (6.3.2): 6.2.1-eligibility consent-required: "
        "death cover on another person needs the insured's written consent (Art. 34)."
    )
    accepted = assessed(a_case("life"))
    assert accepted.outcome == "accepted" and suggest_products(a_case("life"), accepted, [wide]) == ()
