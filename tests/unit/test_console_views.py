"""The console's view models (no I/O): rows flattened and diffed, timelines, queues in clock order, chart
geometry, filters read from OpenAPI parameters, read points and where signing in may lead."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from interface.console.context import business_day, link
from interface.console.doors import back_to
from interface.console.labels import field_label, words
from interface.console.registers import Filter, cell, filters_of
from interface.console.views import CHART_HEIGHT, chart, clock_readings, diff, flatten, queue_rows, timeline

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))
rows = st.dictionaries(
    st.sampled_from(["status", "premium", "contacts", "valid_from", "sum"]),
    st.one_of(scalars, st.dictionaries(st.sampled_from(["phone", "email"]), scalars, max_size=2)),
    max_size=5,
)


def test_a_row_is_flattened_to_text_with_nested_fields_dotted() -> None:
    row = {"status": "in_force", "paid": True, "contacts": {"phone": "138"}, "riders": ["a", "b"], "end": None}

    assert flatten(row) == {"status": "in_force", "paid": "✓", "contacts.phone": "138", "riders": "a, b", "end": ""}


def test_the_diff_names_each_changed_added_and_removed_field_and_leaves_out_bookkeeping() -> None:
    before = {"status": "applied", "premium": None, "contacts": {"phone": "1"}, "valid_from": 3, "gone": "x"}
    after = {"status": "in_force", "premium": "135.00", "contacts": {"phone": "1"}, "valid_from": 9, "new": 1}

    changes = {c.field: (c.before, c.after, c.kind) for c in diff(before, after)}

    assert changes == {
        "gone": ("x", "", "removed"),
        "new": ("", "1", "added"),
        "premium": ("", "135.00", "changed"),
        "status": ("applied", "in_force", "changed"),
    }


@given(rows, rows)
def test_a_diff_takes_one_version_to_the_other(before: dict[str, Any], after: dict[str, Any]) -> None:
    changed = flatten(before)
    for change in diff(before, after):
        if change.kind == "removed":
            del changed[change.field]
        else:
            changed[change.field] = change.after

    kept = {k: v for k, v in changed.items() if k != "valid_from"}
    assert kept == {k: v for k, v in flatten(after).items() if k != "valid_from"}
    assert diff(after, after) == []


def test_a_timeline_lists_each_event_with_its_metadata() -> None:
    history = {
        "events": [
            {
                "version": 1,
                "position": 7,
                "type": "Applied",
                "recorded_at": "2025-01-10T10:00:00+08:00",
                "metadata": {"actor_id": "alice", "actor_role": "agent", "channel": "api", "command_id": "c1"},
                "data": {"on": "2025-01-10"},
            }
        ]
    }

    [event] = timeline(history)

    assert (event.version, event.position, event.type, event.actor_id, event.actor_role) == (
        1,
        7,
        "Applied",
        "alice",
        "agent",
    )
    assert (event.command_id, event.correlation_id, event.reason, event.data) == ("c1", "", "", {"on": "2025-01-10"})


@given(st.lists(st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2027, 1, 1))), max_size=8), st.booleans())
def test_a_queue_is_in_due_order_with_undated_rows_last_and_a_paused_clock_never_overdue(
    dues: list[date | None], paused: bool
) -> None:
    today = date(2026, 1, 1)
    found = queue_rows([{"due": d and d.isoformat(), "paused": paused} for d in dues], "due", today, "paused")

    dated = [q.due_on for q in found if q.due_on is not None]
    assert dated == sorted(dated) and all(q.due_on is None for q in found[len(dated) :])
    assert all(q.overdue == (q.due_on is not None and q.due_on < today and not paused) for q in found)
    assert all(q.days_left == (None if q.due_on is None else (q.due_on - today).days) for q in found)


def test_a_chart_scales_each_bar_to_the_largest_and_keeps_a_place_for_a_null_figure() -> None:
    drawn = chart(
        [{"line": "life", "pct": "20.00"}, {"line": "home", "pct": "80.00"}, {"line": "x", "pct": None}], "line", "pct"
    )

    heights = [bar.height for bar in drawn.bars]
    assert heights == [CHART_HEIGHT / 4, CHART_HEIGHT, 0.0]
    assert [bar.text for bar in drawn.bars] == ["20.00", "80.00", "—"]
    assert [bar.y + bar.height for bar in drawn.bars] == [CHART_HEIGHT] * 3  # on the axis
    assert drawn.top == Decimal("80.00") and drawn.bars[0].x < drawn.bars[1].x < drawn.bars[2].x


def test_filters_come_from_the_operations_query_parameters_but_those_the_console_sets() -> None:
    parameters = [
        {"in": "query", "name": "page", "schema": {"type": "integer"}},
        {"in": "query", "name": "as_of", "schema": {"oneOf": [{"type": "string"}, {"type": "null"}]}},
        {"in": "query", "name": "status", "schema": {"oneOf": [{"type": "string"}, {"type": "null"}]}},
        {"in": "query", "name": "open", "schema": {"oneOf": [{"type": "boolean"}, {"type": "null"}]}},
        {"in": "query", "name": "from", "schema": {"type": "string", "format": "date"}},
        {"in": "query", "name": "by", "schema": {"type": ["null", "string"], "enum": ["a", "b", None]}},
        {"in": "path", "name": "id", "schema": {"type": "string"}},
    ]

    assert filters_of(parameters) == [
        Filter("status", "text"),
        Filter("open", "bool"),
        Filter("from", "date"),
        Filter("by", "choice", ("a", "b")),
    ]


def test_the_read_point_is_kept_by_links_and_names_the_business_day() -> None:
    assert link("/console/registers/claims", "2025-03-01", page=2, status="") == (
        "/console/registers/claims?page=2&as_of=2025-03-01"
    )
    assert link("/console/", None) == "/console/"
    assert business_day("2025-03-01") == date(2025, 3, 1)
    assert business_day("2025-03-01T17:00:00+00:00") == date(2025, 3, 2)  # 01:00 in China the next day
    assert business_day("2025-03-01T23:00:00") == date(2025, 3, 1)  # a moment without a zone is China time
    assert business_day("9999-12-31T23:59:59-12:00") == business_day(None)  # past the edge: the API refuses it


def test_after_signing_in_only_a_console_page_is_a_destination() -> None:
    assert back_to("/console/queues/claims?as_of=5") == "/console/queues/claims?as_of=5"
    for elsewhere in (
        None,
        "",
        "https://evil.example/console",
        "//evil.example",
        "/api/v1/claims",
        "/console\\x",
        "/consoles",
    ):
        assert back_to(elsewhere) == "/console/"


def test_cells_show_nothing_for_null_and_marks_for_booleans() -> None:
    assert [cell(None), cell(True), cell(False), cell(["a", 1]), cell({"k": None})] == ["", "✓", "✗", "a, 1", "k: "]


def test_a_claims_clocks_read_met_breached_paused_overdue_or_running_on_the_day() -> None:
    clocks = {
        "decision": {"due_on": "2026-01-10", "met_on": "2026-01-05", "breached": False, "paused": False},
        "rejection_notice": None,
        "payment": {"due_on": "2026-01-10", "met_on": None, "breached": False, "paused": False},
        "advance": {"due_on": "2025-12-01", "met_on": None, "breached": False, "paused": True, "moved_because": "x"},
    }

    on_the_last_day = clock_readings(clocks, date(2026, 1, 10))
    the_day_after = clock_readings(clocks, date(2026, 1, 11))

    assert [(c.name, c.state) for c in on_the_last_day] == [
        ("decision", "met"),
        ("payment", "running"),
        ("advance", "paused"),
    ]
    assert [c.state for c in the_day_after] == ["met", "overdue", "paused"]
    assert clock_readings({"decision": {"due_on": "2026-01-01", "breached": True}}, date(2026, 1, 1))[0].state == (
        "breached"
    )


def test_register_fields_and_report_figures_are_named_in_chinese_and_given_as_is_in_english() -> None:
    assert [field_label(n, "zh") for n in ("status", "lapse_rate_pct", "applied_from")] == [
        "状态",
        "中止率（%）",
        "投保日起",
    ]
    assert [field_label(n, "en") for n in ("status", "lapse_rate_pct")] == ["status", "lapse_rate_pct"]
    assert words("en")["chart_persistency"].startswith("Persistency") and words("zh")["chart_persistency"].startswith(
        "继续率"
    )
