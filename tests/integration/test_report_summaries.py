"""The reports that read kept sums (projections.summaries: the claims and complaints reports, the policies in
force) answer exactly what they answer from every version of their registers (`compute_by_versions`), on SQLite
and PostgreSQL: for any block size, however far the sums are sealed, as of any position, for any period and
grouping. The live read side seals the blocks its
registers have passed, no further than the slowest of them, and a rebuild forgets the sums and seals them again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from projections import summaries
from projections.reports import claims_timeliness, complaints, loss_ratio
from projections.reports.book import policies_in_force, policies_in_force_by_versions
from projections.reports.sums import CLAIMS, SUMMARIES
from projections.summaries import report_summaries, report_summary_marks
from tests.builders.book import Book, built_book

FIRST, LAST = date(2025, 7, 1), date(2026, 7, 31)  # the book's claims fall in 2026's first half


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    with built_book(request.param, tmp_path_factory.mktemp("summaries")) as built:
        yield built


def sealed_to(book: Book, upto: int) -> None:
    """Forget every summary's sums and seal them as if every source register had reached `upto`."""
    read_side = book.services.read_side
    with read_side.writer.begin() as conn:
        summaries.forget(conn, SUMMARIES, list(read_side.projections))
        for summary in SUMMARIES:
            summaries.seal(conn, summary, lambda _name: upto)


#: Each report that reads sums, with the groupings it offers (`split`: by group, else the whole book).
SUMMED = (
    (claims_timeliness, ("product", "line")),
    (loss_ratio, ("product", "line")),
    (complaints, ("category", "channel")),
)


def both(book: Book, position: int | None, start: date, end: date, grouping: int, split: bool) -> list[Any]:
    """Each computation from the sums beside the same from every version."""
    found = []
    with book.services.read_side.queries.connect() as conn:
        for report, groups in SUMMED:
            group = groups[grouping]
            found.append(
                (
                    report.compute(conn, position, start, end, group, split),
                    report.compute_by_versions(conn, position, start, end, group, split),
                )
            )
        found.append(
            (
                {None: {"n": policies_in_force(conn, position, end)}},
                {None: {"n": policies_in_force_by_versions(conn, position, end)}},
            )
        )
    return found


def numbers(raw: dict[Any, dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Raw figures compared as numbers (the sums come back as decimals, the counts as integers), those that are
    0 (or absent: None) dropped, and the groups left with none (as the reports drop them)."""
    found = {key: {name: round(float(v), 2) for name, v in figures.items() if v} for key, figures in raw.items()}
    return {key: figures for key, figures in found.items() if figures}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    block=st.sampled_from([1, 2, 3, 5, 8, 40, 2_000]),
    sealed=st.floats(0, 1.1),
    asked=st.one_of(st.none(), st.floats(0, 1)),
    start=st.integers(0, (LAST - FIRST).days),
    days=st.integers(0, 200),
    group=st.sampled_from([(0, True), (1, True), (0, False)]),
)
def test_the_sums_answer_what_every_version_answers(
    book: Book, block: int, sealed: float, asked: float | None, start: int, days: int, group: tuple[int, bool]
) -> None:
    head = book.services.read_side.head()
    kept = summaries.BLOCK
    summaries.BLOCK = block
    try:
        sealed_to(book, int(head * sealed))
        position = None if asked is None else int(head * asked)
        period_from = FIRST + timedelta(days=start)
        for ours, by_versions in both(book, position, period_from, period_from + timedelta(days=days), *group):
            assert numbers(ours) == numbers(by_versions)
    finally:
        summaries.BLOCK = kept


def test_the_figures_are_not_all_zero(book: Book) -> None:
    """The comparison above compares something: the half year has paid claims, reserves and every clock,
    complaints received and decided, policies in force."""
    with book.services.read_side.queries.connect() as conn:
        raw = claims_timeliness.compute(conn, None, date(2026, 1, 1), date(2026, 6, 30), "line", False)[None]
        claims = loss_ratio.compute(conn, None, date(2026, 1, 1), date(2026, 6, 30), "line", False)[None]
        complained = complaints.compute(conn, None, date(2026, 1, 1), date(2026, 6, 30), "channel", False)[None]
    assert all(raw[f"{n}_due"] for n in ("decisions", "payments", "rejection_notices", "advances"))
    assert raw["claims_closed"] and raw["days_to_payment"] and claims["paid_by_end"] and claims["reserves"]
    assert all(complained[n] for n in ("received", "decided", "on_time", "within_15", "policies_in_force"))


def marks(book: Book) -> tuple[int, int, int]:
    """(block size, blocks sealed, sums kept) of the claims summary."""
    m, s = report_summary_marks, report_summaries
    with book.services.read_side.engine.connect() as conn:
        mark = conn.execute(select(m.c.block_size, m.c.blocks).where(m.c.summary == "claims")).one()
        count = conn.execute(select(func.count()).select_from(s).where(s.c.summary == "claims")).scalar_one()
    return mark.block_size, mark.blocks, count


def test_the_live_read_side_seals_what_its_registers_passed_and_a_rebuild_seals_again(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_side = book.services.read_side
    monkeypatch.setattr(summaries, "BLOCK", 7)
    report = book.report("claims_timeliness", "month")
    assert read_side.summaries.seal(read_side, again=True) > 0
    positions = read_side.positions(["claims", "policies"])
    size, blocks, count = marks(book)
    assert (size, blocks) == (7, min(positions.values()) // 7) and count > 0
    assert read_side.summaries.seal(read_side) == 0  # nothing new to seal

    read_side.rebuild(["claims"])
    assert marks(book) == (7, blocks, count)  # forgotten with the old table, sealed again from the new
    assert book.report("claims_timeliness", "month") == report

    with read_side.writer.begin() as conn:  # a source behind: sealed no further than it
        summaries.forget(conn, SUMMARIES, ["policies"])
        sealed = summaries.seal(conn, CLAIMS, lambda name: 10 if name == "policies" else positions[name])
    assert sealed == 1 and marks(book)[1] == 1
    assert book.report("claims_timeliness", "month") == report


def test_sums_sealed_with_another_block_size_are_sealed_again(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    read_side = book.services.read_side
    monkeypatch.setattr(summaries, "BLOCK", 5)
    report = book.report("loss_ratio", "product")
    sealed_to(book, read_side.head())
    monkeypatch.setattr(summaries, "BLOCK", 3)
    assert book.report("loss_ratio", "product") == report  # the 5s are not read as 3s
    with read_side.writer.begin() as conn:
        summaries.seal(conn, CLAIMS, lambda _name: read_side.head())
    assert marks(book)[:2] == (3, read_side.head() // 3)
    assert book.report("loss_ratio", "product") == report


def sums_kept(book: Book) -> dict[str, tuple[int, int]]:
    """Each summary's (blocks sealed, sums kept)."""
    m, s = report_summary_marks, report_summaries
    with book.services.read_side.engine.connect() as conn:
        blocks = dict(conn.execute(select(m.c.summary, m.c.blocks)).all())
        counts = dict(conn.execute(select(s.c.summary, func.count()).group_by(s.c.summary)).all())
    return {name: (blocks[name], counts.get(name, 0)) for name in blocks}


def test_the_running_worker_seals_as_its_registers_pass_each_block(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    read_side = book.services.read_side
    monkeypatch.setattr(summaries, "BLOCK", 1)
    with read_side.writer.begin() as conn:
        summaries.forget(conn, SUMMARIES, list(read_side.projections))
    monkeypatch.setattr(read_side, "summaries", summaries.Keeper(SUMMARIES))
    head = read_side.head()
    read_side.start(poll_interval=0.05)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and {b for b, _ in sums_kept(book).values()} != {head}:
            time.sleep(0.05)
    finally:
        read_side.stop()
    assert set(sums_kept(book)) == {s.name for s in SUMMARIES}
    assert {blocks for blocks, _ in sums_kept(book).values()} == {head}  # every block, each position its own


def test_a_failing_seal_leaves_the_sums_as_they_were_and_the_reports_exact(
    book: Book, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    read_side = book.services.read_side
    monkeypatch.setattr(summaries, "BLOCK", 3)
    report = book.report("complaints", "channel")
    sealed_to(book, read_side.head() // 2)
    kept = sums_kept(book)

    def failing(*_: Any) -> int:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(summaries, "seal", failing)
    assert read_side.summaries.seal(read_side, again=True) == 0
    assert "sealing the report summary" in caplog.text
    assert sums_kept(book) == kept
    assert book.report("complaints", "channel") == report


def test_two_processes_sealing_at_once_seal_each_block_once(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    read_side = book.services.read_side
    monkeypatch.setattr(summaries, "BLOCK", 2)
    report = book.report("claims_timeliness", "line")
    sealed_to(book, read_side.head())
    once = sums_kept(book)
    writers = [create_engine(read_side.engine.url, poolclass=NullPool) for _ in range(2)]
    if writers[0].dialect.name == "sqlite":  # as the read side's writer: lock at BEGIN
        writers = [read_side.writer, read_side.writer]

    def seal_all(writer: Any) -> int:
        return summaries.seal_all(writer, SUMMARIES, lambda conn, name: read_side.position(name, conn))

    for _ in range(5):  # a race shows now and then: give it several chances
        with read_side.writer.begin() as conn:
            summaries.forget(conn, SUMMARIES, list(read_side.projections))
        with ThreadPoolExecutor(2) as pool:
            sealed = list(pool.map(seal_all, writers))
        assert sum(sealed) == sum(blocks for blocks, _ in once.values())  # each block sealed by one of them
        assert sums_kept(book) == once
    assert book.report("claims_timeliness", "line") == report
