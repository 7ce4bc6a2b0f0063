"""Input limits in one place (SPEC §10 "Bad input"): text and money as every command takes them.

Text is stored NFC-normalised and stripped; its limit counts characters *as stored*. It refuses
control characters (Cc), format characters (Cf: U+202E, zero-width U+200B–U+200D, U+FEFF, …),
line and paragraph separators (Zl, Zp), surrogates (Cs), private use (Co) and unassigned code points
(Cn). Free text (a limit of FREE_TEXT characters or more: descriptions, notes, findings, summaries)
may also hold line feeds and tabs; nothing else may.

Money is a finite decimal with at most 2 decimal places, bounded by MAX_MONEY; positive unless the
rule says it may be 0.

Each check raises InvalidValue naming the field. Pure: the interface builds its request types on it.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from domain.errors import InvalidValue

#: Limits (characters, as stored) used across the commands.
CODE = 100  # codes and ids: product codes, document codes, staff ids, references
NAME = 200  # names of people and enterprises
SHORT = 500  # a short reason, a basis, contact details
REASON = 1000  # the reason for a decision
FREE_TEXT = 1000  # from this limit on, text may hold line feeds and tabs
LONG = 2000  # summaries, comments, results
DESCRIPTION = 5000  # descriptions, notes, findings, complaint contents
MAX_ITEMS = 50  # entries of a list of texts

#: Money: at most 1,000,000,000,000.00 (a policy's money columns hold 16 digits before the point).
MAX_MONEY = Decimal(10) ** 12
CENT = Decimal("0.01")

_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_FREE_TEXT_ALLOWED = {"\n", "\t"}


def refused_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character text may not hold (None: none), as `U+XXXX`."""
    for char in text:
        if unicodedata.category(char) in _REFUSED and not (multiline and char in _FREE_TEXT_ALLOWED):
            return f"U+{ord(char):04X}"
    return None


def check_text(
    value: Any, field: str, max_length: int = NAME, *, allow_empty: bool = False, multiline: bool | None = None
) -> str:
    """The NFC-normalised, stripped text; refused if longer than `max_length` characters as stored, empty
    (unless `allow_empty`), or holding a control, format or unassigned character. `multiline` (default:
    a limit of FREE_TEXT or more) allows line feeds and tabs."""
    if value is None and not allow_empty:
        raise InvalidValue(field, "is required")
    if not isinstance(value, str):
        raise InvalidValue(field, "must be a string")
    refused = refused_character(value, multiline=max_length >= FREE_TEXT if multiline is None else multiline)
    if refused is not None:  # before normalising: NFC must not meet a lone surrogate
        raise InvalidValue(field, f"must not contain control, format or unassigned characters ({refused})")
    text = unicodedata.normalize("NFC", value).strip()
    if not text and not allow_empty:
        raise InvalidValue(field, "must not be empty")
    if len(text) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters")
    return text


def check_texts(value: Any, field: str, max_length: int = NAME, *, max_items: int = MAX_ITEMS) -> list[str]:
    """A list of at most `max_items` texts, each checked as by check_text (named `field[i]`)."""
    if not isinstance(value, (list, tuple)):
        raise InvalidValue(field, "must be a list of strings")
    if len(value) > max_items:
        raise InvalidValue(field, f"at most {max_items} entries")
    return [check_text(item, f"{field}[{i}]", max_length) for i, item in enumerate(value)]


def parse_decimal(value: Any, field: str) -> Decimal:
    """A finite Decimal from a Decimal, int, float or numeric string."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str, float)):
        raise InvalidValue(field, "must be a number")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidValue(field, "must be a number") from None
    if not amount.is_finite():
        raise InvalidValue(field, "must be a finite number")
    return amount


def check_money(value: Any, field: str, maximum: Decimal = MAX_MONEY, *, allow_zero: bool = False) -> Decimal:
    """An amount with at most 2 decimal places, more than 0 (or 0 with `allow_zero`) and at most
    `maximum`; returned to the cent (Decimal("12.5") → 12.50)."""
    amount = parse_decimal(value, field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidValue(field, "must not be negative" if allow_zero else "must be more than 0")
    if amount > maximum:
        raise InvalidValue(field, f"must be at most {maximum:,.2f}")
    cents = amount.quantize(CENT)  # exact: |amount| <= maximum, far within the context's precision
    if cents != amount:
        raise InvalidValue(field, "must have at most 2 decimal places")
    return cents.copy_abs()  # never -0.00


def check_choice(value: Any, field: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        raise InvalidValue(field, f"must be one of: {', '.join(options)}")
    return value


def check_int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, "must be a whole number")
    if not low <= value <= high:
        raise InvalidValue(field, f"must be between {low} and {high}")
    return value


def check_amount(value: Any, field: str) -> Decimal:
    """A non-negative amount (Decimal, int, str or float) below MAX_AMOUNT, rounded to 0.01.

    Lenient for callers inside the domain; a command's input is refused with more than 2 decimals or
    above domain.values.MAX_MONEY by the request types (domain.values.check_money)."""
    amount = parse_decimal(value, field)
    if amount < 0:
        raise InvalidValue(field, "must not be negative")
    if amount >= MAX_AMOUNT:
        raise InvalidValue(field, "is too large")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


MAX_AMOUNT = Decimal("1e15")  # refuse absurd amounts (and Decimal overflow on quantize)


def check_date(value: Any, field: str) -> date:
    """A calendar date (a datetime is refused: business dates carry no time of day)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidValue(field, "must be a date")
    return value


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def check_id(value: Any, field: str) -> str:
    """A customer, agent or staff id: a UUID or a non-empty string."""
    if isinstance(value, UUID):
        return str(value)
    return check_text(value, field, 100)


def check_positive(value: Any, field: str) -> Decimal:
    amount = check_amount(value, field)
    if amount <= 0:
        raise InvalidValue(field, "must be more than 0")
    return amount
