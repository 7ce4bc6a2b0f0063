"""The catalogue, quotation and proposed-plan APIs end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from litestar.testing import TestClient

from domain.identifiers import china_today
from domain.policy.underwriting_case import age_on
from domain.product.catalogue import default_catalogue, quote
from tests.builders.common import enterprise_body, individual_body, resident_id
from tests.builders.http import BASE, PROBLEM, auth, field_names, head

Client = TestClient[Any]
Register = Callable[..., dict[str, Any]]
PRODUCTS = "/api/v1/products"
QUOTES = "/api/v1/quotes"
BORN = date(1985, 6, 12)
CATALOGUE = default_catalogue()


def term_life(**overrides: Any) -> dict[str, Any]:
    """A quote request: term life for a 35-year-old man, 500,000 over 20 years, annual, office worker."""
    body: dict[str, Any] = {
        "product_code": "term_life",
        "age": 35,
        "gender": "male",
        "sum_insured": "500000",
        "term_months": 240,
        "premium_mode": "annual",
        "occupation_class": 1,
    }
    return {**body, **overrides}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def a_man_born_1985(register: Register, seed: int) -> str:
    return str(register(body=individual_body(seed, id_number=resident_id(seed, "19850612", "male")))["id"])


# --- the catalogue ------------------------------------------------------------------------------


def test_the_product_list_shows_the_latest_version_of_every_product_and_filters_by_line_and_kind(
    client: Client,
) -> None:
    listed = client.get(PRODUCTS, headers=auth("auditor")).json()
    property_ = client.get(PRODUCTS, params={"line": "property"}, headers=auth()).json()
    riders = client.get(PRODUCTS, params={"kind": "rider"}, headers=auth()).json()

    by_code = {p["code"]: p for p in listed["items"]}
    assert set(by_code) == {p.code for p in CATALOGUE.all()} and listed["total"] == len(by_code)
    assert by_code["critical_illness"]["version"] == 2
    term = by_code["term_life"]
    assert (term["name_zh"], term["line"], term["kind"], term["rating"]) == (
        "守护者定期寿险",
        "life",
        "main",
        "age_gender",
    )
    assert (term["terms_months"], term["premium_modes"]) == ([120, 240, 360], ["annual", "monthly", "single"])
    assert (term["insured_age_min"], term["insured_age_max"]) == (18, 60)
    assert (term["sum_insured_min"], term["sum_insured_max"]) == ("100000", "5000000")
    assert (term["cooling_off_days"], term["waiting_period_days"], term["grace_days"]) == (15, 90, 60)
    assert (term["deductible"], term["payout_ratio"]) == ("0", "1")
    assert {p["code"] for p in property_["items"]} == {"home_property", "enterprise_property"}
    assert [(p["code"], p["attaches_to"]) for p in riders["items"]] == [
        ("accidental_death_rider", ["term_life", "critical_illness"])
    ]


def test_a_product_in_full_shows_rates_loadings_questions_documents_cover_cash_values_and_riders(
    client: Client,
) -> None:
    term = client.get(f"{PRODUCTS}/term_life", headers=auth()).json()
    home = client.get(f"{PRODUCTS}/home_property", headers=auth()).json()

    assert term["rate_bands"][2] == {"age_from": 31, "age_to": 35, "male": "0.95", "female": "0.6"}
    assert len(term["rate_bands"]) == 8 and term["flat_rate"] is None
    assert term["occupation_loadings"] == {"1": "0", "2": "0", "3": "0.1", "4": "0.25", "5": "0.5", "6": None}
    smoker = next(q for q in term["disclosure_questions"] if q["id"] == "heavy_smoker")
    assert (smoker["adverse"], smoker["health_loading_pct"]) == (True, "25")
    assert {"claim_form", "death_certificate"} <= {d["code"] for d in term["claim_documents"]}
    assert term["covered_causes"] == ["death", "total_permanent_disability"]
    assert "suicide_within_2_years" in term["exclusions"]
    assert term["cash_value_by_year"][:3] == ["0", "0.1", "0.2"]
    assert [r["code"] for r in term["riders"]] == ["accidental_death_rider"]
    assert (home["rating"], home["flat_rate"], home["rate_bands"], home["riders"]) == ("flat", "0.8", [], [])
    assert home["deductible"] == "500"


def test_any_version_of_a_product_can_be_read_and_its_versions_listed(client: Client) -> None:
    latest = client.get(f"{PRODUCTS}/critical_illness", headers=auth()).json()
    first = client.get(f"{PRODUCTS}/critical_illness", params={"version": 1}, headers=auth()).json()
    versions = client.get(f"{PRODUCTS}/critical_illness/versions", headers=auth()).json()

    assert (latest["version"], latest["waiting_period_days"], latest["versions"]) == (2, 90, [1, 2])
    assert (first["version"], first["waiting_period_days"]) == (1, 180)
    assert "mild_critical_illness" in latest["covered_causes"]
    assert "mild_critical_illness" not in first["covered_causes"]
    assert (versions["code"], versions["latest"]) == ("critical_illness", 2)
    assert [(v["version"], v["waiting_period_days"]) for v in versions["versions"]] == [(1, 180), (2, 90)]


def test_an_unknown_product_or_version_is_404_with_a_stable_code(client: Client) -> None:
    unknown = client.get(f"{PRODUCTS}/space_tourism", headers=auth())
    no_versions = client.get(f"{PRODUCTS}/space_tourism/versions", headers=auth())
    no_such_version = client.get(f"{PRODUCTS}/critical_illness", params={"version": 3}, headers=auth())

    assert problem(unknown, 404)["code"] == "unknown-product"
    assert problem(no_versions, 404)["code"] == "unknown-product"
    assert problem(no_such_version, 404)["code"] == "unknown-product-version"


def test_the_catalogue_needs_a_token(client: Client) -> None:
    assert problem(client.get(PRODUCTS), 401)["code"] == "unauthorized"
    assert problem(client.post(QUOTES, json=term_life()), 401)["code"] == "unauthorized"


# --- quotes -------------------------------------------------------------------------------------


def test_a_term_life_quote_is_rated_by_age_and_gender_and_records_nothing(
    running_services: Any, client: Client
) -> None:
    before = head(running_services)

    man = client.post(QUOTES, json=term_life(), headers=auth("auditor"))
    woman = client.post(QUOTES, json=term_life(gender="female", premium_mode="monthly"), headers=auth())

    assert man.status_code == 200, man.text
    q = man.json()
    # 500 thousands × 0.95 (31–35, male) = 475.00 a year, 20 annual installments
    assert (q["product_code"], q["product_version"], q["age"], q["gender"]) == ("term_life", 1, 35, "male")
    assert (q["annual_premium"], q["installment_amount"], q["number_of_installments"]) == ("475.00", "475.00", 20)
    assert q["total_premium"] == "9500.00"
    assert q["breakdown"]["rate"] == "0.95" and q["breakdown"]["base_premium"] == "475.00"
    # 0.60 female → 300.00 a year; monthly 300 × 0.09 = 27.00, 240 installments
    w = woman.json()
    assert (w["annual_premium"], w["installment_amount"], w["number_of_installments"]) == ("300.00", "27.00", 240)
    assert head(running_services) == before


def test_a_flat_rated_home_quote_needs_no_age_gender_or_occupation(client: Client) -> None:
    body = {"product_code": "home_property", "sum_insured": "1000000", "term_months": 12, "premium_mode": "annual"}

    response = client.post(QUOTES, json=body, headers=auth())

    assert response.status_code == 200, response.text
    q = response.json()
    # 1,000 thousands × 0.8 ‰ = 800.00
    assert (q["annual_premium"], q["total_premium"], q["breakdown"]["rate"]) == ("800.00", "800.00", "0.8")
    assert (q["age"], q["gender"], q["occupation_class"]) == (None, None, 1)


def test_a_quote_with_a_rider_adds_the_riders_premium_to_the_annual_premium(client: Client) -> None:
    body = term_life(occupation_class=2, riders=[{"product_code": "accidental_death_rider", "sum_insured": "200000"}])

    q = client.post(QUOTES, json=body, headers=auth()).json()

    # main 475.00 (class 2: no loading on term life); rider 200 × 0.4 × 1.2 (class 2) = 96.00
    [rider] = q["breakdown"]["riders"]
    assert (rider["code"], rider["version"], rider["annual_premium"]) == ("accidental_death_rider", 1, "96.00")
    assert (q["breakdown"]["main_premium"], q["annual_premium"]) == ("475.00", "571.00")


def test_adverse_disclosures_load_the_premium_and_are_named(client: Client) -> None:
    answers = {q.id: False for q in CATALOGUE.get("term_life").disclosure_questions}
    answers.update(heavy_smoker=True, serious_illness=True)

    q = client.post(QUOTES, json=term_life(disclosures=answers), headers=auth()).json()
    unanswered = client.post(QUOTES, json=term_life(disclosures={"heavy_smoker": True}), headers=auth())

    # 475.00 × 1.25 (smoker) = 593.75; serious illness has no loading but needs an underwriter
    assert (q["health_loading_pct"], q["annual_premium"]) == ("25", "593.75")
    assert q["breakdown"]["health_loading"] == "118.75"
    assert q["adverse_disclosures"] == ["serious_illness", "heavy_smoker"]
    assert "disclosures.hospitalised_2y" in field_names(problem(unanswered, 422))


def test_a_birth_date_gives_the_age_on_the_quote_date(client: Client) -> None:
    q = client.post(QUOTES, json=term_life(age=None, birth_date=BORN.isoformat()), headers=auth()).json()

    expected = age_on(BORN, china_today())
    assert (q["age"], q["quote_date"]) == (expected, china_today().isoformat())


def test_a_quote_for_a_registered_customer_reads_age_gender_and_occupation_class_from_the_register(
    client: Client, register: Register
) -> None:
    registered = register(body=individual_body(31, id_number=resident_id(31, "19850612", "male"), occupation_class=3))
    body = {
        "product_code": "term_life",
        "customer_id": registered["id"],
        "sum_insured": "500000",
        "term_months": 240,
        "premium_mode": "annual",
    }

    response = client.post(QUOTES, params={"after": registered["position"]}, json=body, headers=auth())

    assert response.status_code == 200, response.text
    q = response.json()
    age = age_on(BORN, china_today())
    expected = quote(
        CATALOGUE.get("term_life"),
        age=age,
        gender="male",
        sum_insured=Decimal(500000),
        term_months=240,
        premium_mode="annual",
        occupation_class=3,
    )
    assert (q["age"], q["gender"], q["occupation_class"]) == (age, "male", 3)
    assert q["annual_premium"] == str(expected.annual_premium)
    assert q["breakdown"]["occupation_loading_rate"] == "0.1"


def test_a_quote_for_an_enterprise_customer_has_no_age_and_refuses_personal_products(
    client: Client, register: Register
) -> None:
    registered = register(body=enterprise_body(32))
    body = {
        "product_code": "enterprise_property",
        "customer_id": registered["id"],
        "sum_insured": "5000000",
        "term_months": 12,
        "premium_mode": "annual",
    }

    ok = client.post(QUOTES, params={"after": registered["position"]}, json=body, headers=auth())
    personal = client.post(QUOTES, json={**body, "product_code": "term_life", "term_months": 240}, headers=auth())

    assert ok.status_code == 200, ok.text
    assert (ok.json()["age"], ok.json()["occupation_class"]) == (None, 1)
    assert field_names(problem(personal, 422)) == {"customer_id"}


def test_refused_quotes_name_the_field_and_record_nothing(running_services: Any, client: Client) -> None:
    cases = [
        (term_life(age=70), "age"),
        (term_life(term_months=60), "term_months"),
        (term_life(occupation_class=6), "occupation_class"),
        (term_life(sum_insured="10"), "sum_insured"),
        (term_life(premium_mode="weekly"), "premium_mode"),
        (term_life(gender=None), "gender"),
        (term_life(occupation_class=None), "occupation_class"),
        (term_life(birth_date="1985-06-12"), "birth_date"),
        (term_life(customer_id="8b0a4c3e-0000-4000-8000-000000000000"), "age"),
        (term_life(product_code="accidental_death_rider"), "product_code"),
        (term_life(riders=[{"product_code": "accidental_death_rider", "sum_insured": "900000"}]), "riders[0]"),
        (term_life(riders=[{"product_code": "pet_rider", "sum_insured": "1000"}]), "riders[0].product_code"),
    ]
    before = head(running_services)

    for body, field in cases:
        response = client.post(QUOTES, json=body, headers=auth())

        assert field in field_names(problem(response, 422)), (field, response.json())
    assert head(running_services) == before


def test_a_quote_for_an_unknown_product_version_or_customer_is_404(client: Client) -> None:
    product = client.post(QUOTES, json=term_life(product_code="space_tourism"), headers=auth())
    version = client.post(QUOTES, json=term_life(product_version=7), headers=auth())
    customer = client.post(
        QUOTES,
        json={
            "product_code": "term_life",
            "sum_insured": "500000",
            "term_months": 240,
            "premium_mode": "annual",
            "customer_id": "8b0a4c3e-0000-4000-8000-000000000000",
        },
        headers=auth(),
    )

    assert problem(product, 404)["code"] == "unknown-product"
    assert problem(version, 404)["code"] == "unknown-product-version"
    assert problem(customer, 404)["code"] == "not-found"


# --- the proposed plan (4.3) --------------------------------------------------------------------


def plan_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "items": [
            {
                "product_code": "term_life",
                "sum_insured": "500000",
                "term_months": 240,
                "premium_mode": "annual",
                "riders": [{"product_code": "accidental_death_rider", "sum_insured": "200000"}],
            },
            {"product_code": "home_property", "sum_insured": "1000000", "term_months": 12, "premium_mode": "annual"},
        ],
        "rationale": "sole earner with a mortgage: cover the loan and the flat",
    }
    return {**body, **overrides}


def test_a_proposed_plan_is_priced_from_the_catalogue_and_shown_in_the_register_with_its_budget_fit(
    client: Client, register: Register
) -> None:
    cid = a_man_born_1985(register, 41)
    client.post(f"{BASE}/{cid}/needs-analyses", json={"concerns": ["mortgage"], "budget": "5000"}, headers=auth())

    response = client.post(f"{BASE}/{cid}/plans", json=plan_body(), headers=auth())

    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"id", "version", "position"} and answer["version"] == 3
    view = client.get(f"{BASE}/{cid}", params={"after": answer["position"]}, headers=auth()).json()
    plan = view["plan"]
    term = quote(
        CATALOGUE.get("term_life"),
        age=age_on(BORN, china_today()),
        gender="male",
        sum_insured=Decimal(500000),
        term_months=240,
        premium_mode="annual",
        occupation_class=1,
        riders=[(CATALOGUE.get("accidental_death_rider"), Decimal(200000))],
    )
    term_item, home_item = plan["items"]
    assert (term_item["product_code"], term_item["product_version"]) == ("term_life", 1)
    assert (term_item["sum_insured"], term_item["annual_premium"]) == ("500000.00", str(term.annual_premium))
    assert term_item["riders"] == [
        {
            "product_code": "accidental_death_rider",
            "product_version": 1,
            "sum_insured": "200000.00",
            "annual_premium": "80.00",
        }
    ]
    assert home_item["annual_premium"] == "800.00"
    assert plan["total_annual_premium"] == str(term.annual_premium + Decimal("800.00"))
    assert plan["rationale"] == plan_body()["rationale"]
    assert plan["budget_fit"] is True
    assert plan["proposed_by"] == "alice"
    history = client.get(f"{BASE}/{cid}/history", params={"after": answer["position"]}, headers=auth()).json()
    assert history["events"][-1]["type"].endswith("PlanProposed")


def test_a_plan_over_budget_does_not_fit_and_without_a_needs_analysis_the_fit_is_unknown(
    client: Client, register: Register
) -> None:
    over = a_man_born_1985(register, 42)
    unknown = a_man_born_1985(register, 43)
    client.post(f"{BASE}/{over}/needs-analyses", json={"concerns": ["mortgage"], "budget": "500"}, headers=auth())

    first = client.post(f"{BASE}/{over}/plans", json=plan_body(), headers=auth()).json()
    second = client.post(f"{BASE}/{unknown}/plans", json=plan_body(), headers=auth()).json()

    after = max(first["position"], second["position"])
    assert client.get(f"{BASE}/{over}", params={"after": after}, headers=auth()).json()["plan"]["budget_fit"] is False
    assert client.get(f"{BASE}/{unknown}", params={"after": after}, headers=auth()).json()["plan"]["budget_fit"] is None


def test_an_enterprise_plan_is_priced_as_class_1_without_age(client: Client, register: Register) -> None:
    cid = register(body=enterprise_body(44))["id"]
    body = plan_body(
        items=[
            {
                "product_code": "enterprise_property",
                "sum_insured": "5000000",
                "term_months": 12,
                "premium_mode": "annual",
            }
        ]
    )

    answer = client.post(f"{BASE}/{cid}/plans", json=body, headers=auth("admin")).json()
    personal = client.post(f"{BASE}/{cid}/plans", json=plan_body(), headers=auth())

    view = client.get(f"{BASE}/{cid}", params={"after": answer["position"]}, headers=auth()).json()
    expected = quote(
        CATALOGUE.get("enterprise_property"),
        sum_insured=Decimal(5000000),
        term_months=12,
        premium_mode="annual",
        occupation_class=1,
    )
    assert view["plan"]["total_annual_premium"] == str(expected.annual_premium)
    assert field_names(problem(personal, 422)) == {"items[0].product_code"}


def test_only_roles_holding_customers_plan_may_propose_a_plan(
    running_services: Any, client: Client, register: Register
) -> None:
    cid = a_man_born_1985(register, 45)
    before = head(running_services)

    for role in ("underwriter", "claims_handler", "auditor"):
        response = client.post(f"{BASE}/{cid}/plans", json=plan_body(), headers=auth(role))

        assert problem(response, 403)["code"] == "forbidden"
    assert head(running_services) == before


def test_a_refused_plan_names_the_bad_item_field_and_records_nothing(
    running_services: Any, client: Client, register: Register
) -> None:
    cid = a_man_born_1985(register, 46)
    term = plan_body()["items"][0]
    cases = [
        ([{**term, "sum_insured": "0"}], "items[0].sum_insured"),
        ([{**term, "term_months": 60}], "items[0].term_months"),
        ([plan_body()["items"][1], {**term, "product_code": "space_tourism"}], "items[1].product_code"),
        ([{**term, "product_version": 5}], "items[0].product_version"),
        (
            [{**term, "riders": [{"product_code": "accidental_death_rider", "sum_insured": "900000"}]}],
            "items[0].riders[0]",
        ),
        ([term, term], "items[1].product_code"),
        ([], "items"),
    ]
    before = head(running_services)

    for items, field in cases:
        response = client.post(f"{BASE}/{cid}/plans", json=plan_body(items=items), headers=auth())

        assert field in field_names(problem(response, 422)), (field, response.json())
    blank = client.post(f"{BASE}/{cid}/plans", json=plan_body(rationale="   "), headers=auth())
    assert field_names(problem(blank, 422)) == {"rationale"}
    assert head(running_services) == before


def test_a_plan_for_a_customer_too_old_for_the_product_names_the_item(client: Client, register: Register) -> None:
    cid = register(body=individual_body(47, id_number=resident_id(47, "19500101", "female")))["id"]

    response = client.post(f"{BASE}/{cid}/plans", json=plan_body(), headers=auth())

    error = problem(response, 422)["errors"][0]
    assert error["field"] == "items[0].product_code" and "age" in error["message"]


def test_the_openapi_document_lists_the_product_quote_and_plan_paths(client: Client) -> None:
    paths = set(client.get("/schema/openapi.json").json()["paths"])

    assert {
        PRODUCTS,
        f"{PRODUCTS}/{{code}}",
        f"{PRODUCTS}/{{code}}/versions",
        QUOTES,
        f"{BASE}/{{customer_id}}/plans",
    } <= paths
