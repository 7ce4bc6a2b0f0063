"""Product approval (guide 3.2; SPEC §13; domain.product.approval): the shipped files on sale from SHIPPED_ON; a new
version drafted, checked against the design rules, approved by someone who neither drafted nor revised it, on sale
from the day it launches and up to the day before it is withdrawn. Every refusal records nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest

from domain.errors import DomainError, InvalidTransition, InvalidValue, NotFound
from domain.product.approval import MAX_DEFINITION, SHIPPED_ON, ProductCatalogue
from domain.product.catalogue import shipped_files
from domain.product.rules import CatalogueError

D = date
DAY = timedelta(days=1)
ON = D(2026, 3, 2)
FILES = dict(shipped_files())


def shipped_in_order() -> list[tuple[str, str]]:
    """The shipped files, main products before riders."""
    return sorted(shipped_files(), key=lambda item: json.loads(item[1])["kind"] != "main")


def shipped() -> ProductCatalogue:
    catalogue = ProductCatalogue.open(SHIPPED_ON)
    for name, text in shipped_in_order():
        assert catalogue.ship(name, text, SHIPPED_ON)
    return catalogue


def term_life(**changes: Any) -> dict[str, Any]:
    """term_life.v1.json as a dict, numbered 2, with `changes` (None removes the field)."""
    data: dict[str, Any] = json.loads(FILES["term_life.v1.json"])
    data["version"] = 2
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def refused(
    catalogue: ProductCatalogue, command: Callable[[], object], error: type[DomainError], code: str | None = None
) -> DomainError:
    version, pending = catalogue.version, len(catalogue.pending_events)
    with pytest.raises(error) as raised:
        command()
    assert catalogue.version == version and len(catalogue.pending_events) == pending
    if code is not None:
        assert raised.value.code == code
    return raised.value


def field_of(catalogue: ProductCatalogue, command: Callable[[], object]) -> str:
    failure = refused(catalogue, command, InvalidValue)
    assert isinstance(failure, InvalidValue)
    return failure.field


def checked() -> ProductCatalogue:
    """The shipped catalogue with term_life v2 drafted by pm-1 on ON and checked by pm-2."""
    catalogue = shipped()
    catalogue.draft(text(term_life()), "pm-1", ON)
    assert catalogue.check("term_life", 2, "pm-2", ON) == []
    return catalogue


def test_every_shipped_file_is_on_sale_from_the_day_it_shipped_and_only_once() -> None:
    catalogue = shipped()
    files = shipped_in_order()
    events = catalogue.version
    assert events == 1 + len(files)
    on_sale = catalogue.catalogue()
    for _, definition in files:
        data = json.loads(definition)
        code, version = data["code"], data["version"]
        assert on_sale.get(code, version).version == version
        assert on_sale.sale_window(code, version) == (SHIPPED_ON, None)
        assert on_sale.on_sale(code, version, SHIPPED_ON).version == version
        assert on_sale.on_sale(code, None, SHIPPED_ON).version == max(on_sale.versions(code))
        with pytest.raises(DomainError) as before:
            on_sale.on_sale(code, None, SHIPPED_ON - DAY)
        assert before.value.code == "product-not-on-sale"
    expected = {(json.loads(t)["code"], json.loads(t)["version"]) for _, t in files}
    assert {(p.code, v) for p in on_sale.all() for v in on_sale.versions(p.code)} == expected
    for name, definition in files:
        assert catalogue.ship(name, definition, SHIPPED_ON + DAY) is False
    assert catalogue.version == events and len(catalogue.pending_events) == events


def test_a_rider_shipped_before_its_main_product_stops_the_start() -> None:
    catalogue = ProductCatalogue.open(SHIPPED_ON)
    with pytest.raises(CatalogueError) as raised:
        catalogue.ship("accidental_death_rider.v1.json", FILES["accidental_death_rider.v1.json"], SHIPPED_ON)
    assert raised.value.source == "accidental_death_rider.v1.json" and raised.value.path == "attaches_to[0]"
    assert catalogue.version == 1 and catalogue.versions == {}


def test_a_new_version_is_on_sale_from_its_launch_and_up_to_the_day_before_its_withdrawal() -> None:
    catalogue = shipped()
    assert catalogue.draft(text(term_life()), "pm-1", ON) == ("term_life", 2)
    assert catalogue.versions["term_life", 2].status == "drafted"
    assert catalogue.catalogue().versions("term_life") == (1,)
    assert catalogue.check("term_life", 2, "pm-2", ON + DAY) == []
    assert catalogue.versions["term_life", 2].status == "checked"
    catalogue.approve("term_life", 2, "pm-3", "reviewed", ON + DAY)
    state = catalogue.versions["term_life", 2]
    assert (state.status, state.approved_by, state.approved_on) == ("approved", "pm-3", ON + DAY)
    assert catalogue.catalogue().versions("term_life") == (1,)
    launches_on = ON + 10 * DAY
    catalogue.launch("term_life", 2, launches_on, "pm-3", ON + 2 * DAY)
    assert catalogue.versions["term_life", 2].status == "launched"
    on_sale = catalogue.catalogue()
    assert on_sale.sale_window("term_life", 2) == (launches_on, None)
    with pytest.raises(DomainError) as early:
        on_sale.on_sale("term_life", 2, launches_on - DAY)
    assert early.value.code == "product-not-on-sale"
    assert on_sale.on_sale("term_life", 2, launches_on).version == 2
    assert on_sale.on_sale("term_life", None, launches_on - DAY).version == 1
    assert on_sale.on_sale("term_life", None, launches_on).version == 2

    withdrawn_on = launches_on + 30 * DAY
    catalogue.withdraw("term_life", 2, withdrawn_on, "pricing error", "pm-3", launches_on)
    assert (catalogue.versions["term_life", 2].status, catalogue.versions["term_life", 2].withdrawn_on) == (
        "withdrawn",
        withdrawn_on,
    )
    on_sale = catalogue.catalogue()
    assert on_sale.on_sale("term_life", 2, withdrawn_on - DAY).version == 2
    with pytest.raises(DomainError) as late:
        on_sale.on_sale("term_life", 2, withdrawn_on)
    assert late.value.code == "product-not-on-sale"
    assert on_sale.on_sale("term_life", None, withdrawn_on - DAY).version == 2
    assert on_sale.on_sale("term_life", None, withdrawn_on).version == 1


def test_a_draft_must_be_a_new_version() -> None:
    catalogue = shipped()
    refused(
        catalogue,
        lambda: catalogue.draft(FILES["term_life.v1.json"], "pm-1", ON),
        DomainError,
        "product-version-exists",
    )
    catalogue.draft(text(term_life(version=3)), "pm-1", ON)
    refused(
        catalogue,
        lambda: catalogue.draft(text(term_life(version=3)), "pm-1", ON),
        DomainError,
        "product-version-exists",
    )
    refused(catalogue, lambda: catalogue.draft(text(term_life()), "pm-1", ON), DomainError, "product-version-not-new")
    assert catalogue.draft(text(term_life(version=4)), "pm-1", ON) == ("term_life", 4)


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ("{not json", "definition"),
        ("[1, 2]", "definition"),
        ('"term_life"', "definition"),
        (text(term_life(code="Term-Life")), "definition.code"),
        (text(term_life(code="t")), "definition.code"),
        (text(term_life(code=None)), "definition.code"),
        (text(term_life(version=0)), "definition.version"),
        (text(term_life(version=10000)), "definition.version"),
        (text(term_life(version="2")), "definition.version"),
        (text(term_life(version=True)), "definition.version"),
        (text(term_life(version=2.5)), "definition.version"),
    ],
)
def test_a_draft_refuses_a_definition_naming_no_code_or_version(definition: str, field: str) -> None:
    catalogue = shipped()
    assert field_of(catalogue, lambda: catalogue.draft(definition, "pm-1", ON)) == field


def test_a_definition_is_at_most_max_definition_characters() -> None:
    catalogue = shipped()
    body = text(term_life())
    longest = body[:-1] + " " * (MAX_DEFINITION - len(body)) + "}"
    assert len(longest) == MAX_DEFINITION
    assert field_of(catalogue, lambda: catalogue.draft(longest + " ", "pm-1", ON)) == "definition"
    assert catalogue.draft(longest, "pm-1", ON) == ("term_life", 2)


def test_an_approval_needs_a_passed_check_and_someone_who_neither_drafted_nor_revised_it() -> None:
    catalogue = shipped()
    catalogue.draft(text(term_life()), "pm-1", ON)
    refused(
        catalogue, lambda: catalogue.approve("term_life", 2, "pm-3", "", ON), InvalidTransition, "product-not-checked"
    )
    catalogue.revise("term_life", 2, text(term_life(name_en="Guardian Term Life 2")), "pm-2", ON)
    assert catalogue.versions["term_life", 2].authors == {"pm-1", "pm-2"}
    catalogue.check("term_life", 2, "pm-3", ON)
    for author in ("pm-1", "pm-2"):
        approval = partial(catalogue.approve, "term_life", 2, author, "", ON)
        refused(catalogue, approval, DomainError, "approver-is-author")
    catalogue.approve("term_life", 2, "pm-3", "", ON)
    assert catalogue.versions["term_life", 2].status == "approved"
    refused(
        catalogue, lambda: catalogue.approve("term_life", 2, "pm-4", "", ON), InvalidTransition, "product-not-checked"
    )


def test_a_launch_needs_an_approval_and_a_first_day_not_before_the_launch() -> None:
    catalogue = checked()
    refused(
        catalogue, lambda: catalogue.launch("term_life", 2, ON, "pm-3", ON), InvalidTransition, "product-not-approved"
    )
    catalogue.approve("term_life", 2, "pm-3", "", ON)
    assert field_of(catalogue, lambda: catalogue.launch("term_life", 2, ON - DAY, "pm-3", ON)) == "launches_on"
    catalogue.launch("term_life", 2, ON, "pm-3", ON)
    assert catalogue.catalogue().on_sale("term_life", None, ON).version == 2


def test_a_withdrawal_needs_a_launch_and_a_day_not_before_it_is_launched_or_withdrawn() -> None:
    catalogue = checked()
    refused(
        catalogue,
        lambda: catalogue.withdraw("term_life", 2, ON, "r", "pm-3", ON),
        InvalidTransition,
        "product-not-launched",
    )
    catalogue.approve("term_life", 2, "pm-3", "", ON)
    catalogue.launch("term_life", 2, ON + 5 * DAY, "pm-3", ON)
    withdraw = catalogue.withdraw
    assert field_of(catalogue, lambda: withdraw("term_life", 2, ON + 4 * DAY, "r", "pm-3", ON)) == "withdrawn_on"
    assert field_of(catalogue, lambda: withdraw("term_life", 2, ON + 5 * DAY, "r", "pm-3", ON + 6 * DAY)) == (
        "withdrawn_on"
    )
    withdraw("term_life", 2, ON + 5 * DAY, "never sold", "pm-3", ON + 5 * DAY)
    refused(
        catalogue,
        lambda: withdraw("term_life", 2, ON + 9 * DAY, "r", "pm-3", ON + 9 * DAY),
        InvalidTransition,
        "product-not-launched",
    )
    assert catalogue.catalogue().on_sale("term_life", None, ON + 5 * DAY).version == 1


def test_a_shipped_version_is_withdrawn_like_a_launched_one() -> None:
    catalogue = shipped()
    catalogue.withdraw("term_life", 1, ON, "replaced", "pm-3", ON)
    on_sale = catalogue.catalogue()
    assert on_sale.on_sale("term_life", None, ON - DAY).version == 1
    with pytest.raises(DomainError) as gone:
        on_sale.on_sale("term_life", None, ON)
    assert gone.value.code == "product-not-on-sale"


def test_what_sells_on_a_day_leaves_out_a_product_withdrawn_by_then() -> None:
    catalogue = shipped()
    catalogue.withdraw("term_life", 1, ON, "replaced", "pm-3", ON)
    on_sale = catalogue.catalogue()
    before = {p.code: p.version for p in on_sale.selling(ON - DAY)}
    after = {p.code: p.version for p in on_sale.selling(ON)}
    assert before["term_life"] == 1 and "term_life" not in after
    assert {code: v for code, v in before.items() if code != "term_life"} == after
    assert after["critical_illness"] == 2


def test_a_command_is_not_dated_before_the_versions_last_event() -> None:
    catalogue = shipped()
    catalogue.draft(text(term_life()), "pm-1", ON)
    refused(catalogue, lambda: catalogue.check("term_life", 2, "pm-2", ON - DAY), DomainError, "date-before-last-event")
    catalogue.check("term_life", 2, "pm-2", ON + DAY)
    refused(catalogue, lambda: catalogue.approve("term_life", 2, "pm-3", "", ON), DomainError, "date-before-last-event")
    catalogue.approve("term_life", 2, "pm-3", "", ON + DAY)
    assert catalogue.versions["term_life", 2].last_on == ON + DAY
    # each version has its own dates: the shipped one still takes a command dated before them
    catalogue.withdraw("term_life", 1, ON, "replaced", "pm-3", ON)


@pytest.mark.parametrize(
    ("code", "version"), [("term_life", 9), ("life_term", 1), ("term_life", "1"), ("term_life", True)]
)
def test_an_unknown_version_is_not_found(code: str, version: Any) -> None:
    catalogue = shipped()
    commands: list[Callable[[], object]] = [
        lambda: catalogue.revise(code, version, text(term_life()), "pm-1", ON),
        lambda: catalogue.check(code, version, "pm-1", ON),
        lambda: catalogue.approve(code, version, "pm-1", "", ON),
        lambda: catalogue.launch(code, version, ON, "pm-1", ON),
        lambda: catalogue.withdraw(code, version, ON, "r", "pm-1", ON),
    ]
    for command in commands:
        refused(catalogue, command, NotFound)


def test_a_failed_check_records_its_findings_and_a_revision_that_passes_can_be_approved() -> None:
    catalogue = shipped()
    catalogue.draft(text(term_life(cooling_off_days=14)), "pm-1", ON)
    findings = catalogue.check("term_life", 2, "pm-2", ON)
    assert [f["field"] for f in findings] == ["cooling_off_days"]
    state = catalogue.versions["term_life", 2]
    assert (state.status, state.findings, state.product) == ("check_failed", findings, None)
    refused(
        catalogue, lambda: catalogue.approve("term_life", 2, "pm-3", "", ON), InvalidTransition, "product-not-checked"
    )
    catalogue.revise("term_life", 2, text(term_life(cooling_off_days=15)), "pm-1", ON)
    assert (state.status, state.findings) == ("drafted", [])
    assert catalogue.check("term_life", 2, "pm-2", ON) == []
    assert state.status == "checked" and state.product is not None and state.product.cooling_off_days == 15
    catalogue.revise("term_life", 2, text(term_life(cooling_off_days=20)), "pm-1", ON)
    revised = catalogue.versions["term_life", 2]
    assert (revised.status, revised.product) == ("drafted", None)
    catalogue.check("term_life", 2, "pm-2", ON)
    catalogue.approve("term_life", 2, "pm-3", "", ON)
    assert revised.product is not None and revised.product.cooling_off_days == 20


@pytest.mark.parametrize(
    ("bad", "good", "field"),
    [
        ({"cancellation_fee": 10.01}, {"cancellation_fee": 10}, "cancellation_fee"),
        ({"dispute_resolution": None}, {"dispute_resolution": "arbitration"}, "dispute_resolution"),
        ({"dispute_resolution": "duel"}, {"dispute_resolution": "litigation"}, "dispute_resolution"),
    ],
)
def test_a_check_names_the_field_that_breaks_a_design_rule(
    bad: dict[str, Any], good: dict[str, Any], field: str
) -> None:
    catalogue = shipped()
    catalogue.draft(text(term_life(**bad)), "pm-1", ON)
    assert [f["field"] for f in catalogue.check("term_life", 2, "pm-2", ON)] == [field]
    catalogue.revise("term_life", 2, text(term_life(**good)), "pm-1", ON)
    assert catalogue.check("term_life", 2, "pm-2", ON) == []


def test_a_gap_between_rate_bands_is_a_finding() -> None:
    catalogue = shipped()
    bands = term_life()["rate_bands"]
    bands[1]["age_from"] += 1
    catalogue.draft(text(term_life(rate_bands=bands)), "pm-1", ON)
    findings = catalogue.check("term_life", 2, "pm-2", ON)
    assert [f["field"] for f in findings] == ["rate_bands[1].age_from"]
    assert catalogue.versions["term_life", 2].status == "check_failed"


def test_a_rider_attaches_to_main_products_the_catalogue_holds() -> None:
    catalogue = shipped()
    rider: dict[str, Any] = json.loads(FILES["accidental_death_rider.v1.json"])
    rider.update(code="extra_rider", version=1, attaches_to=["pension_plan", "term_life"])
    catalogue.draft(text(rider), "pm-1", ON)
    findings = catalogue.check("extra_rider", 1, "pm-2", ON)
    assert [f["field"] for f in findings] == ["attaches_to[0]"] and "pension_plan" in findings[0]["rule"]
    rider["attaches_to"] = ["term_life"]
    catalogue.revise("extra_rider", 1, text(rider), "pm-1", ON)
    assert catalogue.check("extra_rider", 1, "pm-2", ON) == []


@pytest.mark.parametrize("changes", [{"version": 3}, {"code": "term_life_plus"}])
def test_a_revision_keeps_the_code_and_version(changes: dict[str, Any]) -> None:
    catalogue = shipped()
    catalogue.draft(text(term_life()), "pm-1", ON)
    assert field_of(catalogue, lambda: catalogue.revise("term_life", 2, text(term_life(**changes)), "pm-2", ON)) == (
        "definition"
    )
    assert catalogue.versions["term_life", 2].authors == {"pm-1"}


def test_a_revision_is_refused_once_approved() -> None:
    catalogue = checked()
    catalogue.approve("term_life", 2, "pm-3", "", ON)
    refused(
        catalogue,
        lambda: catalogue.revise("term_life", 2, text(term_life()), "pm-1", ON),
        InvalidTransition,
        "invalid-product-transition",
    )
