"""Chinese national identifiers: the resident ID number and the unified social credit code.

- GB 11643-1999 citizen identity number: 6-digit region, 8-digit birth date, 3-digit sequence
  (odd last digit: male), and a check character by ISO 7064 MOD 11-2.
- GB 32100-2015 unified social credit code: 18 characters from a 31-character alphabet,
  positions 3-8 the administrative region, and a MOD 31 check character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import Literal

from domain import clock
from domain.errors import InvalidValue

# China Standard Time: birth dates are calendar dates in China, not in UTC.
CHINA_TZ = timezone(timedelta(hours=8), "CST")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11
_RESIDENT_ID_RE = re.compile(r"[0-9]{17}[0-9X]")

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters, no I O S V Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_RE = re.compile(r"[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}")

Gender = Literal["male", "female"]


def china_today() -> date:
    """Today's date in China, according to the installed domain clock."""
    return clock.now().astimezone(CHINA_TZ).date()


@dataclass(frozen=True)
class ResidentId:
    """A validated resident ID number and what it tells about its holder."""

    number: str
    region: str
    birth_date: date
    gender: Gender


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character for 17 digits."""
    if len(first17) != 17 or not all(c in "0123456789" for c in first17):
        raise ValueError("expected exactly 17 digits")
    total = sum(int(c) * w for c, w in zip(first17, RESIDENT_ID_WEIGHTS))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def parse_resident_id(value: str, field: str = "id_number") -> ResidentId:
    """Validate a resident ID number; a lowercase final x is accepted and upper-cased."""
    if not isinstance(value, str):
        raise InvalidValue(field, "must be a string")
    number = value.strip().upper()
    if len(number) != 18:
        raise InvalidValue(field, "a resident ID number has 18 characters")
    if not _RESIDENT_ID_RE.fullmatch(number):
        raise InvalidValue(field, "must be 17 digits followed by a digit or X")
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidValue(field, "the birth date in the number is not a real date") from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise InvalidValue(field, "the birth date in the number is before 1900-01-01")
    if birth_date > china_today():
        raise InvalidValue(field, "the birth date in the number is in the future")
    if resident_id_check_char(number[:17]) != number[17]:
        raise InvalidValue(field, "the check character does not match (GB 11643)")
    gender: Gender = "male" if int(number[16]) % 2 == 1 else "female"
    return ResidentId(number=number, region=number[:6], birth_date=birth_date, gender=gender)


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 (MOD 31) check character for the first 17 characters."""
    if len(first17) != 17 or not all(c in CREDIT_CODE_CHARSET for c in first17):
        raise ValueError("expected exactly 17 characters from the credit code charset")
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def parse_credit_code(value: str, field: str = "credit_code") -> str:
    """Validate a unified social credit code; return it upper-cased."""
    if not isinstance(value, str):
        raise InvalidValue(field, "must be a string")
    code = value.strip().upper()
    if len(code) != 18:
        raise InvalidValue(field, "a unified social credit code has 18 characters")
    if not all(c in CREDIT_CODE_CHARSET for c in code):
        raise InvalidValue(field, "may only use 0-9 and A-Z without I, O, S, V, Z")
    if not _CREDIT_CODE_RE.fullmatch(code):
        raise InvalidValue(field, "positions 3-8 must be the 6-digit region code")
    if credit_code_check_char(code[:17]) != code[17]:
        raise InvalidValue(field, "the check character does not match (GB 32100)")
    return code
