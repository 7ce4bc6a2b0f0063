"""The console's view models, pure functions over what the API answered: a row flattened to fields, the
diff of two versions, the events of a timeline, a queue's clock reading and a chart's bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from interface.console.registers import cell

#: Fields of a register row that say where it was read, not what it says.
BOOKKEEPING = frozenset({"valid_from", "valid_to", "position"})


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """A row's fields as `name` → text, nested objects as `outer.inner` (lists shown whole)."""
    flat: dict[str, str] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = cell(value)
    return flat


@dataclass(frozen=True)
class Change:
    """One field that differs between two versions: `kind` added, removed or changed."""

    field: str
    before: str
    after: str
    kind: str


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Change]:
    """What changed from `before` to `after`, field by field (a missing version counts as no fields), in
    field order; bookkeeping fields (where a row was read) are left out."""
    old, new = flatten(before or {}), flatten(after or {})
    changes: list[Change] = []
    for name in sorted(old.keys() | new.keys()):
        if name in BOOKKEEPING or old.get(name) == new.get(name):
            continue
        kind = "added" if name not in old else "removed" if name not in new else "changed"
        changes.append(Change(name, old.get(name, ""), new.get(name, ""), kind))
    return changes


@dataclass(frozen=True)
class TimelineEvent:
    """One event of an aggregate's timeline, as the console lists it."""

    version: int
    position: int | None
    type: str
    recorded_at: str
    actor_id: str
    actor_role: str
    channel: str
    reason: str
    command_id: str
    correlation_id: str
    causation_id: str
    data: dict[str, str]


def timeline(history: Mapping[str, Any]) -> list[TimelineEvent]:
    """The events of a history answer (GET …/history), oldest first."""
    found = []
    for event in history.get("events", []):
        meta = event.get("metadata") or {}
        found.append(
            TimelineEvent(
                version=int(event["version"]),
                position=event.get("position"),
                type=str(event["type"]),
                recorded_at=str(event.get("recorded_at") or ""),
                actor_id=cell(meta.get("actor_id")),
                actor_role=cell(meta.get("actor_role")),
                channel=cell(meta.get("channel")),
                reason=cell(meta.get("reason")),
                command_id=cell(meta.get("command_id")),
                correlation_id=cell(meta.get("correlation_id")),
                causation_id=cell(meta.get("causation_id")),
                data=flatten(event.get("data") or {}),
            )
        )
    return found


@dataclass(frozen=True)
class QueueRow:
    """A row of a work queue: its clock's due date and how it stands on `today`."""

    row: dict[str, Any]
    due_on: date | None
    days_left: int | None
    overdue: bool
    paused: bool


def queue_rows(
    rows: Sequence[Mapping[str, Any]], due_field: str, today: date, paused_field: str | None = None
) -> list[QueueRow]:
    """Rows in the order of their statutory clock (earliest due first, those without a due date last),
    each with the days left on `today` (negative: overdue). A paused clock is never overdue."""
    found = []
    for row in rows:
        raw = row.get(due_field)
        due = date.fromisoformat(str(raw)[:10]) if raw else None
        paused = bool(paused_field and row.get(paused_field))
        left = None if due is None else (due - today).days
        found.append(QueueRow(dict(row), due, left, left is not None and left < 0 and not paused, paused))
    found.sort(key=lambda q: (q.due_on is None, q.due_on or date.max))
    return found


#: A claim's statutory clocks (the claims register's `clocks`), in the order the Insurance Law names them.
CLAIM_CLOCKS = ("decision", "rejection_notice", "payment", "advance")  # Arts. 23, 24, 23, 25


@dataclass(frozen=True)
class ClockReading:
    """One statutory clock of a claim on a business day: `state` met, breached, paused, overdue or running."""

    name: str
    due_on: str
    state: str
    note: str


def clock_readings(clocks: Mapping[str, Any] | None, today: date) -> list[ClockReading]:
    """The clocks a claim has started, each with how it stands on `today` (a met or breached clock as
    recorded; a running one overdue once its due date has passed, unless paused)."""
    found = []
    for name in CLAIM_CLOCKS:
        clock = (clocks or {}).get(name)
        if not clock:
            continue
        due = str(clock.get("due_on") or "")
        if clock.get("met_on"):
            state = "met"
        elif clock.get("breached"):
            state = "breached"
        elif clock.get("paused"):
            state = "paused"
        else:
            state = "overdue" if due and date.fromisoformat(due) < today else "running"
        found.append(ClockReading(name, due, state, str(clock.get("moved_because") or "")))
    return found


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its group, value and geometry in the SVG's units."""

    label: str
    value: Decimal | None
    text: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """A bar chart of one figure of a report, one bar per group."""

    figure: str
    bars: list[Bar]
    width: int
    height: int
    top: Decimal


CHART_HEIGHT = 220
BAR_WIDTH = 56
GAP = 16


def number(value: Any) -> Decimal | None:
    """A figure as the API gives it (text, number or null) as a Decimal; None when it is not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def chart(rows: Sequence[Mapping[str, Any]], group: str, figure: str) -> Chart:
    """Bars of `figure` for each row (labelled by its `group`), scaled to the largest value; a group
    whose figure is null (nothing to divide by) gets no bar but keeps its place."""
    values = [number(row.get(figure)) for row in rows]
    top = max([v for v in values if v is not None and v > 0], default=Decimal(1))
    bars = []
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        height = 0.0 if value is None or value <= 0 else float(value / top) * CHART_HEIGHT
        x = GAP + i * (BAR_WIDTH + GAP)
        text = "—" if value is None else str(value)
        bars.append(Bar(str(row.get(group)), value, text, x, CHART_HEIGHT - height, BAR_WIDTH, height))
    return Chart(figure, bars, GAP + len(bars) * (BAR_WIDTH + GAP), CHART_HEIGHT, top)
