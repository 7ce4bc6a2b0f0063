"""Query parameters and response pieces every register endpoint shares."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar.params import QueryParameter
from pydantic import BaseModel

from interface.errors import BadRequest

AsOf = Annotated[str | None, QueryParameter(description="a log position, an ISO 8601 moment or a date (its end, UTC)")]
After = Annotated[int | None, QueryParameter(description="wait until the read side has reached this log position")]
PageNo = Annotated[int, QueryParameter(ge=1)]
Size = Annotated[int, QueryParameter(ge=1, le=500)]
Unmasked = Annotated[bool, QueryParameter(description="show personal data unmasked (personal.read; recorded)")]
Reason = Annotated[str | None, QueryParameter(description="why the personal data is read unmasked (required then)")]
Today = Annotated[date | None, QueryParameter(description="the business date (default: today, China time)")]


def check_sort(value: str | None, sortable: dict[str, Any], default: str) -> str:
    """The sort asked for (`name` or `-name`), or 422 naming `sort`."""
    sort = value or default
    if sort.lstrip("-") not in sortable:
        raise BadRequest("sort", f"sort by one of {', '.join(sorted(sortable))} (prefix - for descending)")
    return sort


class HistoryEntry(BaseModel):
    position: int | None
    version: int
    type: str
    recorded_at: Any
    metadata: dict[str, Any]
    data: dict[str, Any]


class HistoryView(BaseModel):
    """An aggregate's events in order, with who did what, when and why."""

    id: str
    events: list[HistoryEntry]
