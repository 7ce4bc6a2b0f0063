"""The product catalogue (SPEC §3): the shipped files load; every validation rule names file and field."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.errors import DomainError, InvalidValue
from domain.product.catalogue import (
    Catalogue,
    CatalogueError,
    build_catalogue,
    default_catalogue,
    load_catalogue,
    parse_product,
)
from domain.product.model import BASE_CLAIM_DOCUMENTS, OCCUPATION_CLASSES

SHIPPED = Path(__file__).resolve().parents[2] / "domain" / "catalogue"
MINIMUM = {
    "term_life": ("life", "main"),
    "critical_illness": ("health", "main"),
    "medical": ("health", "main"),
    "personal_accident": ("accident", "main"),
    "home_property": ("property", "main"),
    "enterprise_property": ("property", "main"),
    "public_liability": ("liability", "main"),
    "trade_credit": ("credit", "main"),
    "accidental_death_rider": ("accident", "rider"),
}

Mutation = Callable[[dict[str, Any]], None]


# -- the shipped catalogue -----------------------------------------------------------------


def test_every_shipped_file_loads_and_validates() -> None:
    catalogue = load_catalogue(SHIPPED)

    files = sorted(SHIPPED.glob("*.json"))
    assert len(files) == sum(len(catalogue.versions(p.code)) for p in catalogue.all())
    for file in files:
        product = parse_product(json.loads(file.read_text("utf-8"), parse_float=Decimal), file.name)
        assert catalogue.get(product.code, product.version) == product


def test_the_minimum_product_set_exists_with_its_lines_and_kinds() -> None:
    catalogue = default_catalogue()

    found = {p.code: (p.line, p.kind) for p in catalogue.all()}

    assert {code: found.get(code) for code in MINIMUM} == MINIMUM


@pytest.mark.parametrize("product", default_catalogue().all(), ids=lambda p: p.code)
def test_each_shipped_product_keeps_the_business_rules(product: Any) -> None:
    assert product.cancellation_fee <= 10
    assert not product.is_long_term or product.cooling_off_days >= 15
    assert set(BASE_CLAIM_DOCUMENTS) <= set(product.claim_document_codes)
    assert product.disclosure_questions and product.covered_causes and product.exclusions
    assert 1 in product.occupation_loadings
    assert product.name_zh and product.name_en
    if product.line in ("property", "liability", "credit"):
        assert product.rating == "flat" and Decimal("0.5") <= product.flat_rate <= 3
    if product.renewable:
        assert not product.is_long_term and product.renewal_offer_days > 0


def test_term_life_rates_rise_with_age_and_are_lower_for_women() -> None:
    bands = default_catalogue().get("term_life").rate_bands

    assert [b.male for b in bands] == sorted(b.male for b in bands)
    assert all(b.female < b.male for b in bands)
    assert Decimal("0.5") <= bands[0].male and bands[-1].male <= 10


def test_get_without_a_version_gives_the_latest_and_old_versions_stay_available() -> None:
    catalogue = default_catalogue()

    assert catalogue.versions("critical_illness") == (1, 2)
    assert catalogue.get("critical_illness").version == 2
    assert catalogue.get("critical_illness", 1).waiting_period_days == 180
    assert catalogue.get("critical_illness", 2).waiting_period_days == 90
    assert [p.code for p in catalogue.all()].count("critical_illness") == 1


def test_unknown_products_and_versions_are_refused_with_stable_codes() -> None:
    catalogue = default_catalogue()

    with pytest.raises(DomainError) as unknown:
        catalogue.get("space_tourism")
    with pytest.raises(DomainError) as no_version:
        catalogue.get("term_life", 9)

    assert unknown.value.code == "unknown-product"
    assert no_version.value.code == "unknown-product-version"
    assert catalogue.versions("space_tourism") == ()


def test_riders_for_lists_the_riders_that_attach_to_a_main_product() -> None:
    catalogue = default_catalogue()

    assert [r.code for r in catalogue.riders_for("term_life")] == ["accidental_death_rider"]
    assert [r.code for r in catalogue.riders_for("critical_illness")] == ["accidental_death_rider"]
    assert catalogue.riders_for("home_property") == ()


def test_the_default_catalogue_is_loaded_once() -> None:
    assert default_catalogue() is default_catalogue()


def test_disclosure_answers_give_the_adverse_questions_and_the_health_loading() -> None:
    product = default_catalogue().get("medical")
    answers = {q.id: not q.adverse for q in product.disclosure_questions}

    assert product.check_disclosure_answers(answers) == ()
    answers.update(bmi_out_of_range=True, social_insurance=False)  # social_insurance: "no" is adverse
    assert product.check_disclosure_answers(answers) == ("bmi_out_of_range", "social_insurance")
    assert product.health_loading_for(answers) == Decimal(25)


def test_disclosure_answers_must_answer_every_question_and_only_those() -> None:
    product = default_catalogue().get("term_life")
    answers = {q.id: False for q in product.disclosure_questions}

    with pytest.raises(InvalidValue) as missing:
        product.check_disclosure_answers({k: v for k, v in answers.items() if k != "heavy_smoker"})
    with pytest.raises(InvalidValue) as unknown:
        product.check_disclosure_answers({**answers, "likes_cats": True})

    assert missing.value.field == "disclosure_answers.heavy_smoker"
    assert unknown.value.field == "disclosure_answers.likes_cats"


def test_cash_value_follows_the_table_and_stays_at_its_last_value() -> None:
    product = default_catalogue().get("term_life")

    assert product.cash_value_fraction(0) == 0
    assert product.cash_value_fraction(2) == Decimal("0.2")
    assert product.cash_value_fraction(99) == product.cash_value_by_year[-1]
    assert default_catalogue().get("home_property").cash_value_fraction(3) == 0


# -- every validation rule: a broken copy in tmp_path names its file and field ----------------


def put(path: str, value: Any) -> Mutation:
    """Set a dotted path ("rate_bands.2.male") to `value`."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def drop(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        del target[int(last) if isinstance(target, list) else last]

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        for m in mutations:
            m(data)

    return mutate


BROKEN = {
    # required fields, unknown fields and types
    "required": ("term_life.v1.json", drop("name_zh"), "name_zh", "is required"),
    "unknown-field": ("term_life.v1.json", put("colour", "red"), "colour", "not a known field"),
    "type-int": ("term_life.v1.json", put("grace_days", "60"), "grace_days", "whole number"),
    "type-bool": ("medical.v1.json", put("renewable", "yes"), "renewable", "true or false"),
    "type-text": ("medical.v1.json", put("name_en", ""), "name_en", "non-empty text"),
    "type-list": ("medical.v1.json", put("terms_months", 12), "terms_months", "list"),
    "type-object": ("term_life.v1.json", put("rate_bands.0", [18, 25]), "rate_bands[0]", "must be an object"),
    "band-rate": (
        "term_life.v1.json",
        put("rate_bands.2.male", -1),
        "rate_bands[2].male",
        "must be a positive decimal",
    ),
    "band-rate-text": (
        "term_life.v1.json",
        put("rate_bands.2.female", "cheap"),
        "rate_bands[2].female",
        "must be a positive decimal",
    ),
    "band-order": ("term_life.v1.json", put("rate_bands.1.age_to", 20), "rate_bands[1].age_to", "below age_from"),
    "code-format": ("term_life.v1.json", put("covered_causes.0", "Death!"), "covered_causes[0]", "code"),
    "question-field": (
        "term_life.v1.json",
        drop("disclosure_questions.0.adverse"),
        "disclosure_questions[0].adverse",
        "is required",
    ),
    "document-field": ("medical.v1.json", put("claim_documents.1.name_zh", 7), "claim_documents[1].name_zh", "text"),
    # enums
    "enum-line": ("term_life.v1.json", put("line", "marine"), "line", "must be one of"),
    "enum-kind": ("term_life.v1.json", put("kind", "bundle"), "kind", "must be one of"),
    "enum-mode": ("term_life.v1.json", put("premium_modes.1", "quarterly"), "premium_modes[1]", "must be one of"),
    "enum-rating": ("term_life.v1.json", put("rating", "table"), "rating", "must be one of"),
    # ranges
    "payout-zero": ("trade_credit.v1.json", put("payout_ratio", 0), "payout_ratio", "above 0 and at most 1"),
    "payout-above-one": ("trade_credit.v1.json", put("payout_ratio", Decimal("1.2")), "payout_ratio", "at most 1"),
    "cooling-off": ("term_life.v1.json", put("cooling_off_days", 10), "cooling_off_days", "at least 15"),
    "fee": ("term_life.v1.json", put("cancellation_fee", 20), "cancellation_fee", "from 0 to 10"),
    "ages": ("term_life.v1.json", put("insured_age_min", 61), "insured_age_max", "below insured_age_min"),
    "sum-insured": ("term_life.v1.json", put("sum_insured_min", 6000000), "sum_insured_max", "below sum_insured_min"),
    "sum-insured-positive": ("home_property.v1.json", put("sum_insured_min", 0), "sum_insured_min", "positive"),
    "grace": ("critical_illness.v2.json", put("grace_days", 30), "grace_days", "Art. 36"),
    "monthly-factor": ("term_life.v1.json", put("monthly_factor", Decimal("0.2")), "monthly_factor", "decimal"),
    "monthly-cheaper": ("term_life.v1.json", put("monthly_factor", Decimal("0.08")), "monthly_factor", "decimal"),
    "cash-value": ("term_life.v1.json", put("cash_value_by_year.2", Decimal("1.5")), "cash_value_by_year[2]", "0 to 1"),
    "cash-value-required": ("term_life.v1.json", drop("cash_value_by_year"), "cash_value_by_year", "required"),
    "annual-whole-years": ("term_life.v1.json", put("terms_months.1", 246), "terms_months[1]", "whole years"),
    "renewable-long-term": ("term_life.v1.json", put("renewable", True), "renewable", "one year or less"),
    "expiry-age": ("term_life.v1.json", put("max_expiry_age", 65), "max_expiry_age", "no term"),
    "income-multiple": ("home_property.v1.json", put("max_income_multiple", 10), "max_income_multiple", "personal"),
    "personal-ages": ("medical.v1.json", drop("insured_age_max"), "insured_age_max", "is required"),
    # rate tables
    "band-gap": ("term_life.v1.json", put("rate_bands.3.age_from", 37), "rate_bands[3].age_from", "unrated"),
    "band-overlap": ("term_life.v1.json", put("rate_bands.3.age_from", 35), "rate_bands[3].age_from", "overlaps"),
    "band-start": ("term_life.v1.json", put("rate_bands.0.age_from", 20), "rate_bands[0].age_from", "start at"),
    "band-end": ("term_life.v1.json", drop("rate_bands.7"), "rate_bands[6].age_to", "end at"),
    "bands-required": ("term_life.v1.json", put("rate_bands", []), "rate_bands", "is required"),
    "flat-rate-required": ("home_property.v1.json", drop("flat_rate"), "flat_rate", "is required"),
    "flat-without-bands": (
        "home_property.v1.json",
        put("rate_bands", [{"age_from": 0, "age_to": 120, "male": 1, "female": 1}]),
        "rate_bands",
        "must be empty",
    ),
    "banded-without-flat": ("term_life.v1.json", put("flat_rate", 1), "flat_rate", "must be absent"),
    "property-is-flat": ("home_property.v1.json", put("rating", "age_gender"), "rating", "must be flat"),
    # occupation classes
    "class-missing": ("term_life.v1.json", drop("occupation_loadings.6"), "occupation_loadings.6", "is required"),
    "class-negative": ("term_life.v1.json", put("occupation_loadings.3", -1), "occupation_loadings.3", "0 to 10"),
    "class-falling": ("term_life.v1.json", put("occupation_loadings.4", 0), "occupation_loadings.4", "class 3"),
    "class-gap": ("term_life.v1.json", put("occupation_loadings.3", None), "occupation_loadings", "without gaps"),
    "class-unknown": ("term_life.v1.json", put("occupation_loadings.7", 1), "occupation_loadings.7", "known field"),
    # lists
    "base-documents": ("medical.v1.json", drop("claim_documents.0"), "claim_documents", "claim_form"),
    "duplicate-question": (
        "term_life.v1.json",
        put("disclosure_questions.1.id", "hospitalised_2y"),
        "disclosure_questions[1].id",
        "repeats",
    ),
    "duplicate-term": ("term_life.v1.json", put("terms_months.1", 120), "terms_months[1]", "repeats"),
    "excluded-and-covered": ("term_life.v1.json", put("exclusions.0", "death"), "exclusions[0]", "covered"),
    # riders
    "rider-target": (
        "accidental_death_rider.v1.json",
        put("attaches_to.1", "space_travel"),
        "attaches_to[1]",
        "not a main product",
    ),
    "rider-on-rider": (
        "accidental_death_rider.v1.json",
        put("attaches_to", ["accidental_death_rider"]),
        "attaches_to[0]",
        "not a main product",
    ),
    "rider-needs-target": ("accidental_death_rider.v1.json", put("attaches_to", []), "attaches_to", "must name"),
    "main-no-target": ("term_life.v1.json", put("attaches_to", ["medical"]), "attaches_to", "only riders"),
    # file names
    "file-version": ("term_life.v1.json", put("version", 2), "version", "term_life.v2.json"),
    "file-code": ("term_life.v1.json", put("code", "whole_life"), "code", "whole_life.v1.json"),
    "several-edits": (
        "home_property.v1.json",
        both(put("deductible", -1), put("payout_ratio", 2)),
        "deductible",
        "from 0",
    ),
}


def copy_with(tmp_path: Path, file: str, mutation: Mutation) -> Path:
    """A copy of the shipped catalogue with one file broken."""
    folder = tmp_path / "catalogue"
    shutil.copytree(SHIPPED, folder)
    data = json.loads((folder / file).read_text("utf-8"), parse_float=Decimal)
    mutation(data)
    (folder / file).write_text(json.dumps(data, ensure_ascii=False, default=float), "utf-8")
    return folder


@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_is_refused_naming_the_file_and_the_field(
    tmp_path: Path, case: tuple[str, Mutation, str, str]
) -> None:
    file, mutation, field_path, reason = case
    folder = copy_with(tmp_path, file, mutation)

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(folder)

    assert str(refused.value).startswith(f"{file}: {field_path}: "), str(refused.value)
    assert reason in refused.value.reason
    assert (refused.value.source, refused.value.path) == (file, field_path)


def test_the_decimal_error_message_reads_as_documented(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "term_life.v1.json", put("rate_bands.2.male", 0))

    with pytest.raises(CatalogueError, match=r"^term_life.v1.json: rate_bands\[2\].male: must be a positive decimal$"):
        load_catalogue(folder)


def test_a_short_term_product_needs_no_cooling_off(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "medical.v1.json", put("cooling_off_days", 0))

    assert load_catalogue(folder).get("medical").cooling_off_days == 0


def test_a_file_that_is_not_json_is_named(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "medical.v1.json", lambda data: None)
    (folder / "medical.v1.json").write_text("{not json", "utf-8")

    with pytest.raises(CatalogueError, match=r"^medical.v1.json: is not valid JSON"):
        load_catalogue(folder)


def test_a_file_that_is_not_an_object_is_named(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "medical.v1.json", lambda data: None)
    (folder / "medical.v1.json").write_text("[]", "utf-8")

    with pytest.raises(CatalogueError, match=r"^medical.v1.json: must be an object"):
        load_catalogue(folder)


def test_an_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="no product files"):
        load_catalogue(tmp_path)


def test_the_same_code_and_version_twice_is_refused_naming_both_sources() -> None:
    product = default_catalogue().get("medical")

    with pytest.raises(CatalogueError) as refused:
        build_catalogue([("medical.v1.json", product), ("extra/medical.v1.json", product)])

    assert str(refused.value).startswith("extra/medical.v1.json: version: ")
    assert "medical.v1.json" in refused.value.reason


def test_a_revised_version_loads_beside_the_old_one(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "medical.v1.json", lambda data: None)
    data = json.loads((folder / "medical.v1.json").read_text("utf-8"), parse_float=Decimal)
    data.update(version=2, deductible=5000)
    (folder / "medical.v2.json").write_text(json.dumps(data, ensure_ascii=False, default=float), "utf-8")

    catalogue = load_catalogue(folder)

    assert isinstance(catalogue, Catalogue)
    assert catalogue.versions("medical") == (1, 2)
    assert catalogue.get("medical").deductible == 5000
    assert catalogue.get("medical", 1).deductible == 10000


def test_occupation_loadings_cannot_be_changed_through_the_product() -> None:
    loadings = default_catalogue().get("term_life").occupation_loadings

    with pytest.raises(TypeError):
        loadings[6] = Decimal(0)  # type: ignore[index]
    assert set(loadings) <= set(OCCUPATION_CLASSES)
