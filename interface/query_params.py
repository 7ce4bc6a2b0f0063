"""Query parameters and response pieces every register endpoint shares."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar.params import QueryParameter
from pydantic import BaseModel

from interface.errors import BadRequest

#: The largest log position or version a parameter may name (a BIGINT).
MAX_POSITION = 2**63 - 1
#: The last page a register serves: page × size must stay far inside a BIGINT offset.
MAX_PAGE = 1_000_000
#: The longest text a query parameter may carry (`reason` excepted, see Reason); every query parameter is
#: also refused with control, format or unassigned characters (interface.app, before any handler runs).
MAX_QUERY_CHARS = 200
MAX_REASON_CHARS = 500

AsOf = Annotated[
    str | None, QueryParameter(max_length=40, description="a log position, an ISO 8601 moment or a date (its end, UTC)")
]
After = Annotated[
    int | None,
    QueryParameter(
        ge=0,
        le=MAX_POSITION,
        description="wait until the read side has reached this log position (one a command "
        "answered: beyond the head of the log is 422 position-not-recorded)",
    ),
]
Position = Annotated[int | None, QueryParameter(ge=0, le=MAX_POSITION, description="a log position, inclusive")]
PageNo = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)]
Size = Annotated[int, QueryParameter(ge=1, le=500)]
#: A free-text filter (a name, an id, a code): at most MAX_QUERY_CHARS characters.
Text = Annotated[str | None, QueryParameter(max_length=MAX_QUERY_CHARS)]
Unmasked = Annotated[bool, QueryParameter(description="show personal data unmasked (personal.read; recorded)")]
Reason = Annotated[
    str | None,
    QueryParameter(max_length=MAX_REASON_CHARS, description="why the personal data is read unmasked (required then)"),
]
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
