"""Request field types built on the domain's input limits (domain.values; SPEC §10 "Bad input").

Every text field of a command body is one of the TextN types (at most N characters as stored, NFC,
stripped; no control, format or unassigned characters; free text of 1000 or more may hold line feeds
and tabs); every amount is Money (more than 0) or MoneyOrZero, at most 2 decimals and bounded. A bad
value answers 422 naming the field, before any command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from domain.errors import InvalidValue
from domain.values import MAX_MONEY, check_money, check_text


def _refusal(refused: InvalidValue) -> PydanticCustomError:
    return PydanticCustomError("invalid_value", "{message}", {"message": refused.message})


def text_check(max_length: int, *, allow_empty: bool = False) -> Callable[[str], str]:
    """A pydantic after-validator: domain.values.check_text with this limit."""

    def check(value: str) -> str:
        try:
            return check_text(value, "value", max_length, allow_empty=allow_empty)
        except InvalidValue as refused:
            raise _refusal(refused) from None

    return check


def money_check(maximum: Decimal = MAX_MONEY, *, allow_zero: bool = False) -> Callable[[Decimal], Decimal]:
    """A pydantic after-validator: domain.values.check_money with this bound."""

    def check(value: Decimal) -> Decimal:
        try:
            return check_money(value, "value", maximum, allow_zero=allow_zero)
        except InvalidValue as refused:
            raise _refusal(refused) from None

    return check


def _text_schema(max_length: int, allow_empty: bool) -> Any:
    return Field(json_schema_extra={"maxLength": max_length, "minLength": 0 if allow_empty else 1})


def _money_schema(maximum: Decimal, allow_zero: bool) -> Any:
    bound = "0 or more" if allow_zero else "more than 0"
    return Field(json_schema_extra={"description": f"{bound}, at most {maximum:,.2f}, at most 2 decimals"})


Text50 = Annotated[str, AfterValidator(text_check(50)), _text_schema(50, False)]
Text100 = Annotated[str, AfterValidator(text_check(100)), _text_schema(100, False)]  # codes, ids, references
Text200 = Annotated[str, AfterValidator(text_check(200)), _text_schema(200, False)]  # names
Text500 = Annotated[str, AfterValidator(text_check(500)), _text_schema(500, False)]
Text1000 = Annotated[str, AfterValidator(text_check(1000)), _text_schema(1000, False)]
Text2000 = Annotated[str, AfterValidator(text_check(2000)), _text_schema(2000, False)]
Text5000 = Annotated[str, AfterValidator(text_check(5000)), _text_schema(5000, False)]
#: Text that may be empty ("" when not given).
Text500OrEmpty = Annotated[str, AfterValidator(text_check(500, allow_empty=True)), _text_schema(500, True)]
Text1000OrEmpty = Annotated[str, AfterValidator(text_check(1000, allow_empty=True)), _text_schema(1000, True)]
Text2000OrEmpty = Annotated[str, AfterValidator(text_check(2000, allow_empty=True)), _text_schema(2000, True)]

Money = Annotated[Decimal, AfterValidator(money_check()), _money_schema(MAX_MONEY, False)]
MoneyOrZero = Annotated[Decimal, AfterValidator(money_check(allow_zero=True)), _money_schema(MAX_MONEY, True)]
#: A percentage, 0 to 100 (a beneficiary's share), at most 2 decimals.
Share = Annotated[
    Decimal, AfterValidator(money_check(Decimal(100), allow_zero=True)), _money_schema(Decimal(100), True)
]
#: A loading, 0 to 500 percent, at most 2 decimals.
LoadingPct = Annotated[
    Decimal, AfterValidator(money_check(Decimal(500), allow_zero=True)), _money_schema(Decimal(500), True)
]

#: Lists of short texts (exclusions, measures, concerns, reasons): at most 50 entries.
MAX_LIST = 50
