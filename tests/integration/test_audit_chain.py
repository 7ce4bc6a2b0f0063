"""The hash chain (SPEC §9): verification catches and names each kind of tampering done with
direct SQL behind the application's back, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
import pytest

from application.app import InscribeApplication
from application.infrastructure.audit import digest, verify_log
from application.infrastructure.chain import Digest
from tests.builders.audit import a_history, reopened, sql

TAMPERING: dict[str, tuple[str, str]] = {
    "an edited payload": ("UPDATE {events} SET state = state || x'20' WHERE {key} = 5", "changed"),
    "a deleted event": ("DELETE FROM {events} WHERE {key} = 6", "removed"),
    "an edited version": (
        "UPDATE {events} SET originator_version = originator_version + 100 WHERE {key} = 4",
        "changed",
    ),
}


def test_an_untouched_log_verifies_and_its_digest_is_the_chain_head(services: Any) -> None:
    a_history(services)

    result = verify_log(services.app.recorder)
    head = digest(services.app.recorder)

    assert result.ok and result.finding is None
    assert result.checked == services.app.recorder.max_notification_id() == head.position == head.count
    assert result.head.hash == head.hash


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_with_a_stored_event_is_caught_and_named(services: Any, case: str) -> None:
    a_history(services)
    statement, problem = TAMPERING[case]
    if services.settings.is_postgres:
        statement = statement.replace("x'20'", "'\\x20'::bytea")

    sql(services, statement)
    app = reopened(services)
    result = verify_log(app.recorder)

    assert not result.ok
    assert result.finding is not None
    assert (result.finding.problem, result.finding.position) == (problem, int(statement.split("= ")[-1]))


def test_an_event_inserted_behind_the_application_s_back_is_caught(services: Any) -> None:
    a_history(services)
    head = services.app.recorder.max_notification_id()
    copy = (
        "INSERT INTO {events} (originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version + 50, topic, state FROM {events} WHERE {key} = 2"
    )

    sql(services, copy)
    app = reopened(services)
    result = verify_log(app.recorder)

    assert result.finding is not None
    assert (result.finding.problem, result.finding.position) == ("inserted", head + 1)


def test_two_events_swapped_in_the_log_are_named_as_reordered(services: Any) -> None:
    a_history(services)
    fields = ["originator_id", "originator_version", "topic", "state"]
    # Swap the contents of positions 3 and 7 (the log order changes, each row stays intact).
    swap = "; ".join(
        [
            "CREATE TEMP TABLE moved AS SELECT {key} AS at, " + ", ".join(fields) + " FROM {events} "
            "WHERE {key} IN (3, 7)",
            "DELETE FROM {events} WHERE {key} IN (3, 7)",
            "INSERT INTO {events} ({key}, "
            + ", ".join(fields)
            + ") SELECT 10 - at, "
            + ", ".join(fields)
            + " FROM moved",
        ]
    )
    if services.settings.is_postgres:
        swap = swap.replace("INSERT INTO {events} ({key},", "INSERT INTO {events} (notification_id,")

    sql(services, swap)
    app = reopened(services)
    result = verify_log(app.recorder)

    assert result.finding is not None
    assert (result.finding.problem, result.finding.position) == ("reordered", 3)


def test_a_rewritten_chain_no_longer_passes_through_the_digest_the_auditor_kept(services: Any) -> None:
    a_history(services)
    kept = digest(services.app.recorder)
    chain = "inscribe_event_chain"
    # Someone edits an event and recomputes every link after it: the chain verifies on its own…
    sql(
        services,
        "UPDATE {events} SET state = state || x'20' WHERE {key} = 5".replace(
            "x'20'", "'\\x20'::bytea" if services.settings.is_postgres else "x'20'"
        ),
    )
    sql(services, f"DELETE FROM {chain} WHERE position >= 5")
    app = reopened(services)
    relinked = _relink_from(app, 5)

    alone = verify_log(app.recorder)
    against = verify_log(app.recorder, Digest.parse(kept.as_text()))

    assert relinked > 0 and alone.ok
    assert against.finding is not None
    assert (against.finding.problem, against.finding.position) == ("digest-mismatch", kept.position)


def _relink_from(app: InscribeApplication, start: int) -> int:
    """What a forger would do: recompute the links from `start` on (test-only)."""
    from application.infrastructure.chain import links_for

    recorder: Any = app.recorder
    previous = recorder.select_links(start - 1, 1)[0].hash
    rows = recorder.select_stored(start, 10_000)
    links = links_for(
        previous, [(p, i, v, t, s.encode() if isinstance(s, str) else bytes(s)) for p, i, v, t, s in rows]
    )
    with recorder.datastore.transaction(commit=True) as cursor:
        for link in links:
            if app.settings.is_postgres:
                cursor.execute(
                    "INSERT INTO inscribe_event_chain VALUES (%s, %s, %s, 'written')",
                    (link.position, link.content, link.hash),
                )
            else:
                cursor.execute(
                    "INSERT INTO inscribe_event_chain VALUES (?, ?, ?, 'written')",
                    (link.position, link.content, link.hash),
                )
    return len(links)


def test_the_chain_still_verifies_after_a_projection_rebuild(services: Any) -> None:
    a_history(services)
    services.read_side.catch_up()

    services.read_side.rebuild()
    result = verify_log(services.app.recorder)

    assert result.ok and result.checked == services.app.recorder.max_notification_id()


def test_a_log_written_before_the_chain_existed_is_linked_on_first_start_as_backfilled(services: Any) -> None:
    a_history(services)
    sql(services, "DELETE FROM inscribe_event_chain")

    app = reopened(services)
    result = verify_log(app.recorder)

    assert app.backfilled == app.recorder.max_notification_id()
    assert result.ok
    if services.settings.is_postgres:
        with psycopg.connect(services.settings.database_url) as conn:
            found = {k for (k,) in conn.execute("SELECT DISTINCT kind FROM inscribe_event_chain")}
    else:
        with sqlite3.connect(services.settings.sqlite_path) as conn:
            found = {k for (k,) in conn.execute("SELECT DISTINCT kind FROM inscribe_event_chain")}
    assert found == {"backfilled"}
