"""Resident ID numbers (GB 11643) and unified social credit codes (GB 32100)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain import clock
from domain.errors import InvalidValue
from domain.identifiers import (
    CREDIT_CODE_CHARSET,
    credit_code_check_char,
    parse_credit_code,
    parse_resident_id,
    resident_id_check_char,
)

DIGITS = "0123456789"
RESIDENT_ID_CHARS = DIGITS + "X"


def with_check_char(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def with_credit_check_char(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


@st.composite
def resident_ids(draw: st.DrawFn) -> tuple[str, str, date, int]:
    region = draw(st.text(DIGITS, min_size=6, max_size=6))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    number = with_check_char(f"{region}{birth:%Y%m%d}{sequence:03d}")
    return number, region, birth, sequence


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    head = draw(st.text(CREDIT_CODE_CHARSET, min_size=2, max_size=2))
    region = draw(st.text(DIGITS, min_size=6, max_size=6))
    organisation = draw(st.text(CREDIT_CODE_CHARSET, min_size=9, max_size=9))
    return with_credit_check_char(head + region + organisation)


# -- resident ID -------------------------------------------------------------------------------


def test_a_known_resident_id_is_accepted_with_its_birth_date_gender_and_region() -> None:
    resident = parse_resident_id("11010519491231002X")

    assert resident.number == "11010519491231002X"
    assert resident.region == "110105"
    assert resident.birth_date == date(1949, 12, 31)
    assert resident.gender == "female"


def test_the_check_character_of_a_known_resident_id_is_x() -> None:
    assert resident_id_check_char("11010519491231002") == "X"


def test_a_lowercase_x_check_character_is_accepted_and_upper_cased() -> None:
    resident = parse_resident_id("11010519491231002x")

    assert resident.number == "11010519491231002X"


def test_an_odd_sequence_digit_means_male() -> None:
    resident = parse_resident_id(with_check_char("44030419900101001"))

    assert resident.gender == "male"


@pytest.mark.parametrize("value", ["", "11010519491231002", "11010519491231002XX", "110105194912310021234"])
def test_a_resident_id_of_the_wrong_length_is_refused(value: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_resident_id(value)

    assert refused.value.field == "id_number"


@pytest.mark.parametrize("value", ["1101051949123100XX", "11010519491231A02X", "１１０１０５１９４９１２３１００２X"])
def test_a_resident_id_with_wrong_characters_is_refused(value: str) -> None:
    with pytest.raises(InvalidValue, match=r"17 digits|18 characters"):
        parse_resident_id(value)


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "18991231"])
def test_a_resident_id_with_an_impossible_birth_date_is_refused(birth: str) -> None:
    with pytest.raises(InvalidValue, match="birth date"):
        parse_resident_id(with_check_char(f"110105{birth}002"))


def test_a_resident_id_born_after_today_is_refused_and_born_today_is_accepted() -> None:
    with clock.using(clock.SimulatedClock(datetime(2020, 6, 1, tzinfo=UTC))):
        with pytest.raises(InvalidValue, match="future"):
            parse_resident_id(with_check_char("11010520200602002"))

        born_today = parse_resident_id(with_check_char("11010520200601002"))
        assert born_today.birth_date == date(2020, 6, 1)


def test_a_resident_id_with_a_wrong_check_character_is_refused() -> None:
    with pytest.raises(InvalidValue, match="check character"):
        parse_resident_id("110105194912310021")


def test_the_refusal_names_the_field_it_was_given() -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_resident_id("bad", field="insured.id_number")

    assert refused.value.field == "insured.id_number"
    assert refused.value.code == "invalid-input"


@given(resident_ids())
def test_any_well_formed_resident_id_is_accepted(case: tuple[str, str, date, int]) -> None:
    number, region, birth, sequence = case

    resident = parse_resident_id(number)

    assert resident.number == number
    assert resident.region == region
    assert resident.birth_date == birth
    assert resident.gender == ("male" if sequence % 2 else "female")


@given(resident_ids(), st.integers(min_value=0, max_value=17), st.sampled_from(RESIDENT_ID_CHARS))
def test_any_single_character_corruption_of_a_resident_id_is_refused(
    case: tuple[str, str, date, int], position: int, replacement: str
) -> None:
    number = case[0]
    assume(number[position] != replacement)
    corrupted = number[:position] + replacement + number[position + 1 :]

    with pytest.raises(InvalidValue):
        parse_resident_id(corrupted)


# -- unified social credit code ------------------------------------------------------------------


def test_a_known_credit_code_is_accepted() -> None:
    assert parse_credit_code("91350100M000100Y43") == "91350100M000100Y43"


def test_the_check_character_of_a_known_credit_code_is_computed() -> None:
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_a_lowercase_credit_code_is_upper_cased() -> None:
    assert parse_credit_code("91350100m000100y43") == "91350100M000100Y43"


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y433"])
def test_a_credit_code_of_the_wrong_length_is_refused(value: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_credit_code(value)

    assert refused.value.field == "credit_code"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z", "-"])
def test_a_credit_code_with_a_letter_outside_the_charset_is_refused(letter: str) -> None:
    with pytest.raises(InvalidValue, match="without I, O, S, V, Z"):
        parse_credit_code("91350100M000100" + letter + "43")


def test_a_credit_code_with_a_letter_in_the_region_code_is_refused() -> None:
    code = with_credit_check_char("9135A100M000100Y4")

    with pytest.raises(InvalidValue, match="region"):
        parse_credit_code(code)


def test_a_credit_code_with_a_wrong_check_character_is_refused() -> None:
    with pytest.raises(InvalidValue, match="check character"):
        parse_credit_code("91350100M000100Y44")


@given(credit_codes())
def test_any_well_formed_credit_code_is_accepted(code: str) -> None:
    assert parse_credit_code(code) == code


@given(credit_codes(), st.integers(min_value=0, max_value=17), st.sampled_from(CREDIT_CODE_CHARSET))
def test_any_single_character_corruption_of_a_credit_code_is_refused(
    code: str, position: int, replacement: str
) -> None:
    assume(code[position] != replacement)
    corrupted = code[:position] + replacement + code[position + 1 :]

    with pytest.raises(InvalidValue):
        parse_credit_code(corrupted)
