"""Query parameters and response pieces every register endpoint shares; the paging (page, page_size,
sort, format) and the read point (as_of, after) as dependencies declared once (QUERY_DEPENDENCIES)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from pydantic import BaseModel

from projections.register import Paging

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
#: What `format` may ask for: a register list answers JSON, or CSV (interface.responses).
FORMATS = ("json", "csv")
#: `format` of a register list (checked before the handler runs, interface.http.check_request).
Format = Annotated[
    str | None,
    QueryParameter(
        name="format",
        enum=list(FORMATS),
        description="json or csv (default: json, or csv when the Accept header asks for text/csv)",
    ),
]


@dataclass(frozen=True)
class ReadPoint:
    """When a query reads, as the client asked: `as_of` (a position, moment or date) and `after`."""

    as_of: str | None = None
    after: int | None = None


def provide_paging(page: PageNo = 1, page_size: Size = 50, sort: Text = None, format_: Format = None) -> Paging:
    """`page`, `page_size`, `sort` and `format` of every register list (the answer reads `format`, see
    interface.responses: the page as CSV)."""
    return Paging(page, page_size, sort)


def provide_read_point(as_of: AsOf = None, after: After = None) -> ReadPoint:
    """`as_of` and `after` of every register query."""
    return ReadPoint(as_of, after)


#: How a handler asks for them: `paging: Paged`, `read_point: ReadAt`.
Paged = NamedDependency[Paging]
ReadAt = NamedDependency[ReadPoint]
#: The dependencies every query controller declares: `paging` and `read_point`.
QUERY_DEPENDENCIES = {
    "paging": Provide(provide_paging, sync_to_thread=False),
    "read_point": Provide(provide_read_point, sync_to_thread=False),
}


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
