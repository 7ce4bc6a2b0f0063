"""Response models derived from the register tables, so the API documents exactly what is stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, create_model
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, Numeric, Table
from sqlalchemy.types import BigInteger

from projections.db import aware
from projections.queries import PageResult

_TYPES: list[tuple[type, type]] = [
    (JSON, Any),
    (Boolean, bool),
    (DateTime, datetime),
    (Date, date),
    (BigInteger, int),
    (Integer, int),
    (Numeric, Decimal),
]


def _python_type(column: Any) -> Any:
    for sql_type, python in _TYPES:
        if isinstance(column.type, sql_type):
            return python
    return str


def row_model(name: str, table: Table, doc: str, *, exclude: Sequence[str] = (), **extra: Any) -> type[BaseModel]:
    """A pydantic model with one field per column of `table` (nullable columns may be null)."""
    fields: dict[str, Any] = {}
    for column in table.columns:
        if column.name in exclude:
            continue
        python = _python_type(column)
        fields[column.name] = (python | None, None) if column.nullable or python is Any else (python, ...)
    fields.update(extra)
    model: type[BaseModel] = create_model(name, __doc__=doc, **fields)
    return model


def page_model(name: str, item: type[BaseModel]) -> type[BaseModel]:
    """A page of a register: items, the total matching, and the log position it was read at."""
    return create_model(
        name,
        items=(list[item], ...),  # type: ignore[valid-type]
        total=(int, ...),
        page=(int, ...),
        size=(int, ...),
        position=(int, Field(description="the log position the page was read at")),
        extra=(dict[str, Any], Field(default_factory=dict)),
    )


def to_page(model: type[BaseModel], result: PageResult) -> Any:
    return model(
        items=[_aware(r) for r in result.items],
        total=result.total,
        page=result.page,
        size=result.size,
        position=result.position,
        extra=result.extra,
    )


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    """Stored moments are naive UTC; answer them as aware datetimes."""
    return {k: aware(v) if isinstance(v, datetime) else v for k, v in row.items()}
