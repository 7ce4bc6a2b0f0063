"""The input limits of SPEC §10 "Bad input", in one place (domain.values)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

import pytest

from domain.customer.rules import check_text as customer_check_text
from domain.errors import InvalidValue
from domain.values import MAX_MONEY, check_money, check_text, check_texts

DECOMPOSED_E = "e\u0301"  # "é" as two characters; NFC makes it one


@pytest.mark.parametrize(
    "bad",
    [
        "a\x00b",  # NUL
        "a\u202eb",  # right-to-left override (Cf)
        "a\u200bb",  # zero-width space (Cf)
        "a\u200db",  # zero-width joiner (Cf)
        "a\ufeffb",  # zero-width no-break space / BOM (Cf)
        "a\u0378b",  # unassigned (Cn)
        "a\ud800b",  # a lone surrogate (Cs), as a JSON "\ud800" escape decodes
        "a\ue000b",  # private use (Co)
        "a\x1bb",  # escape (Cc)
        "a\x7fb",  # delete (Cc)
        "a\u2028b",  # line separator (Zl)
        "a\nb",  # a line feed: one-line fields refuse it
        "a\rb",
    ],
)
def test_text_refuses_control_format_and_unassigned_characters(bad: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_text(bad, "name", 200)

    assert refused.value.field == "name"
    assert f"U+{ord(bad[1]):04X}" in refused.value.message


def test_free_text_may_hold_line_feeds_and_tabs_but_no_other_control() -> None:
    assert check_text("line one\n\tline two", "description", 5000) == "line one\n\tline two"
    with pytest.raises(InvalidValue):
        check_text("line one\r\nline two", "description", 5000)
    with pytest.raises(InvalidValue):
        check_text("a\x00b", "description", 5000)
    with pytest.raises(InvalidValue):
        check_text("a\nb", "reference", 100)


def test_text_is_stored_nfc_and_stripped() -> None:
    assert check_text(f"  caf{DECOMPOSED_E} ", "name", 200) == "café"


def test_the_length_limit_counts_characters_as_stored_after_nfc() -> None:
    # 200 decomposed "é" are 400 characters sent, 200 stored: accepted at the limit
    at_limit = DECOMPOSED_E * 200
    stored = check_text(at_limit, "name", 200)
    assert len(stored) == 200 and stored == unicodedata.normalize("NFC", at_limit)
    with pytest.raises(InvalidValue) as refused:
        check_text(DECOMPOSED_E * 201, "name", 200)
    assert refused.value.field == "name" and "200" in refused.value.message


@pytest.mark.parametrize("wide", ["ß", "ﬃ", "𝔘", "张", "ΐ"])
def test_text_at_exactly_the_limit_is_accepted_and_one_more_refused(wide: str) -> None:
    assert check_text(wide * 200, "name", 200) == wide * 200
    with pytest.raises(InvalidValue):
        check_text(wide * 201, "name", 200)


@pytest.mark.parametrize("value", [None, "", "   ", 12, ["a"]])
def test_text_is_required_and_a_string(value: Any) -> None:
    with pytest.raises(InvalidValue):
        check_text(value, "name", 200)


def test_empty_text_where_allowed() -> None:
    assert check_text("  ", "comment", 2000, allow_empty=True) == ""


def test_the_customer_rules_name_is_the_same_check() -> None:
    assert customer_check_text is check_text


def test_a_list_of_texts_checks_each_entry_by_its_index() -> None:
    assert check_texts([" a ", "b"], "exclusions") == ["a", "b"]
    with pytest.raises(InvalidValue) as refused:
        check_texts(["ok", "bad\u202e"], "exclusions")
    assert refused.value.field == "exclusions[1]"
    with pytest.raises(InvalidValue):
        check_texts(["x"] * 51, "exclusions")


@pytest.mark.parametrize(
    "amount", ["0.01", "1", 1, "12.5", Decimal("999.99"), "1000000000000", "1000000000000.00", "100.000"]
)
def test_money_with_at_most_2_decimals_up_to_the_bound(amount: Any) -> None:
    checked = check_money(amount, "amount")
    assert checked == Decimal(str(amount)) and checked.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        ("0.001", "2 decimal places"),
        ("12.345", "2 decimal places"),
        ("0.0000001", "2 decimal places"),  # not rounded to 0.00: refused
        ("0", "more than 0"),
        (0, "more than 0"),
        ("-1", "more than 0"),
        ("-0.01", "more than 0"),
        ("1000000000000.01", "at most"),
        ("1e15", "at most"),
        ("NaN", "finite"),
        ("Infinity", "finite"),
        ("-Infinity", "finite"),
        ("abc", "number"),
        (True, "number"),
        (None, "number"),
    ],
)
def test_money_refused(amount: Any, says: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_money(amount, "amount")

    assert refused.value.field == "amount" and says in refused.value.message


def test_money_that_may_be_zero() -> None:
    assert check_money("0", "annual_income", allow_zero=True) == Decimal("0.00")
    assert str(check_money("-0", "annual_income", allow_zero=True)) == "0.00"
    with pytest.raises(InvalidValue):
        check_money("-0.01", "annual_income", allow_zero=True)
    with pytest.raises(InvalidValue):
        check_money("0.0000001", "annual_income", allow_zero=True)


def test_money_bound_may_be_lower() -> None:
    assert check_money("100", "share", Decimal(100)) == Decimal(100)
    with pytest.raises(InvalidValue):
        check_money("100.01", "share", Decimal(100))
    assert Decimal(10) ** 12 == MAX_MONEY
