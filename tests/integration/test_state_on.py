"""Reports read "the state of each row on day D as known at position P" (projections.reports.base.state_on):
on SQLite and PostgreSQL it is, for every row, its version with the highest `valid_from` among those written
at or before P whose `last_event_on` is on or before D, and nothing for a row begun after D. The same holds for
a table that keeps `ended_on` (projections.versioned, `days`), written by the registers' VersionedWriter in
batches of any size and read through its index of date ranges."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    insert,
    select,
    text,
)

from projections.reports.base import state_on
from projections.versioned import VersionedWriter

PROBE = MetaData()


def probe(name: str, *extra: Column[Any]) -> Table:
    """A register table of rows keyed `row_id`, each version with its business date and a status."""
    table = Table(
        name,
        PROBE,
        Column("row_id", String(36), primary_key=True),
        Column("valid_from", BigInteger, primary_key=True),
        Column("valid_to", BigInteger, nullable=True),
        Column("last_event_on", Date, nullable=False),
        Column("status", String(20), nullable=False),
        *extra,
    )
    table.info["key"] = "row_id"
    return table


rows = probe("state_on_probe")
shown = probe("state_on_days_probe", Column("ended_on", Date, nullable=True))  # as versioned_table(..., days=True)
shown.info["days"] = True
FIRST = date(2026, 1, 1)

#: Each row's versions as (days after FIRST of its last event) in log order; positions are given in order.
histories = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]), st.lists(st.integers(0, 6), min_size=1, max_size=4).map(sorted), max_size=4
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = create_engine(database_url)
    PROBE.create_all(made)
    if made.dialect.name == "postgresql":
        with made.begin() as conn:
            conn.execute(
                text(
                    "CREATE INDEX IF NOT EXISTS ix_state_on_days_probe_days ON state_on_days_probe USING gist "
                    "(daterange(last_event_on, ended_on)) INCLUDE (valid_from, valid_to)"
                )
            )
    yield made
    made.dispose()


def stored(engine: Engine, history: dict[str, list[int]]) -> list[dict[str, Any]]:
    """Write the versions at positions 1, 2, … (interleaving the rows), each closing the one before."""
    versions: list[dict[str, Any]] = []
    position = 0
    for step in range(max((len(days) for days in history.values()), default=0)):
        for key, days in sorted(history.items()):
            if step < len(days):
                position += 1
                for earlier in versions:
                    if earlier["row_id"] == key and earlier["valid_to"] is None:
                        earlier["valid_to"] = position
                day = FIRST + timedelta(days=days[step])
                versions.append(
                    {
                        "row_id": key,
                        "valid_from": position,
                        "valid_to": None,
                        "last_event_on": day,
                        "status": f"v{step}",
                    }
                )
    with engine.begin() as conn:
        conn.execute(delete(rows))
        if versions:
            conn.execute(insert(rows), versions)
    return versions


def expected(versions: list[dict[str, Any]], position: int | None, day: date) -> dict[str, int]:
    found: dict[str, int] = {}
    for v in versions:
        if (position is None or v["valid_from"] <= position) and v["last_event_on"] <= day:
            found[v["row_id"]] = max(found.get(v["row_id"], 0), v["valid_from"])
    return found


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories, st.integers(0, 7), st.one_of(st.none(), st.integers(0, 12)))
def test_the_state_on_a_day_is_each_rows_latest_version_known_then(
    engine: Engine, history: dict[str, list[int]], day_offset: int, position: int | None
) -> None:
    versions = stored(engine, history)
    day = FIRST + timedelta(days=day_offset)

    with engine.connect() as conn:
        state = state_on(rows, position, day)
        found = {r.row_id: r.valid_from for r in conn.execute(select(state.c.row_id, state.c.valid_from))}
        statuses = {r.row_id: r.status for r in conn.execute(select(state.c.row_id, state.c.status))}

    assert found == expected(versions, position, day)
    by_version = {(v["row_id"], v["valid_from"]): v["status"] for v in versions}
    assert statuses == {key: by_version[(key, at)] for key, at in found.items()}  # the whole version, not a mix


def written(engine: Engine, versions: list[dict[str, Any]], batch: int) -> None:
    """Write the same versions through a VersionedWriter, flushing every `batch` of them."""
    with engine.begin() as conn:
        conn.execute(delete(shown))
    for start in range(0, len(versions), batch):
        with engine.begin() as conn:
            writer = VersionedWriter(conn, shown)
            for v in versions[start : start + batch]:
                writer.put(v["row_id"], {"last_event_on": v["last_event_on"], "status": v["status"]}, v["valid_from"])
            writer.flush()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories, st.integers(0, 7), st.one_of(st.none(), st.integers(0, 12)), st.integers(1, 5))
def test_a_table_that_keeps_the_day_each_version_ended_shows_the_same_state(
    engine: Engine, history: dict[str, list[int]], day_offset: int, position: int | None, batch: int
) -> None:
    versions = stored(engine, history)
    written(engine, versions, batch)
    day = FIRST + timedelta(days=day_offset)

    with engine.connect() as conn:
        ends = {(r.row_id, r.valid_from): (r.valid_to, r.ended_on) for r in conn.execute(select(shown))}
        state = state_on(shown, position, day)
        found = {
            r.row_id: (r.valid_from, r.status)
            for r in conn.execute(select(state.c.row_id, state.c.valid_from, state.c.status))
        }

    following = {
        (v["row_id"], v["valid_from"]): next(
            (w["last_event_on"] for w in versions if w["row_id"] == v["row_id"] and w["valid_from"] == v["valid_to"]),
            None,
        )
        for v in versions
    }
    assert ends == {
        (v["row_id"], v["valid_from"]): (v["valid_to"], following[(v["row_id"], v["valid_from"])]) for v in versions
    }
    by_version = {(v["row_id"], v["valid_from"]): v["status"] for v in versions}
    assert found == {key: (at, by_version[(key, at)]) for key, at in expected(versions, position, day).items()}
