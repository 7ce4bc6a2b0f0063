"""Runs projections: batches of events, one transaction each, position included.

In-process, a runner thread wakes when the application saves; on PostgreSQL it also wakes on
LISTEN/NOTIFY (commands saved by other processes); otherwise it polls briefly.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from sqlalchemy import Connection, select, text
from sqlalchemy.engine import Engine

from eventsourcing.persistence import IntegrityError

from application.app import InscribeApplication
from projections.base import Batch, Projection
from projections.db import create_tables, renew_changed_schemas, writer
from projections.tracking import SQLAlchemyTrackingRecorder, tracking_table

log = logging.getLogger(__name__)


class ReadSideBehind(Exception):
    """The read side has not reached the asked position within the wait (HTTP 503)."""

    def __init__(self, position: int, reached: int) -> None:
        super().__init__(f"the read side has reached position {reached}, not yet {position}")
        self.position = position
        self.reached = reached


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


class ReadSide:
    """The projections over one application, their runner and the read-your-writes wait."""

    def __init__(
        self,
        app: InscribeApplication,
        engine: Engine,
        projections: Sequence[Projection],
        batch_size: int = 500,
    ) -> None:
        self.app = app
        self.engine = engine
        self.writer = writer(engine)
        self.projections = {p.name: p for p in projections}
        for projection in projections:
            projection.bind(app)
        self.batch_size = batch_size
        self.trackers = {p.name: SQLAlchemyTrackingRecorder(self.writer, p.name) for p in projections}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._progress = threading.Condition()
        self._threads: list[threading.Thread] = []
        create_tables(engine)
        # A projection whose tables changed since this database last saw it starts again from 0.
        renewed = renew_changed_schemas(self.writer, {p.name: p.tables for p in projections})
        if renewed:
            with self.writer.begin() as conn:
                for name in renewed:
                    self.trackers[name].reset_in(conn)
            log.warning("read-side tables changed for %s: rebuilding from the log", ", ".join(renewed))

    # --- positions -------------------------------------------------------------------------
    def position(self, name: str, conn: Connection | None = None) -> int:
        tracker = self.trackers[name]
        if conn is not None:
            return tracker.max_tracking_id_in(conn, self.app.name) or 0
        # Read through the plain engine: on SQLite the writer's transactions take the write lock.
        with self.engine.connect() as reader:
            return tracker.max_tracking_id_in(reader, self.app.name) or 0

    def positions(self, names: Sequence[str] | None = None) -> dict[str, int]:
        """The positions of the named projections (default: all), in one query."""
        names = list(names or self.projections)
        t = tracking_table
        with self.engine.connect() as reader:
            found = {name: at for name, at in reader.execute(
                select(t.c.projection, t.c.notification_id)
                .where(t.c.application_name == self.app.name, t.c.projection.in_(names))
            )}
        return {name: found.get(name) or 0 for name in names}

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        return [ProjectionStatus(name, at, head) for name, at in self.positions().items()]

    def wait_for(self, position: int, names: Sequence[str] | None = None, timeout: float = 5.0) -> None:
        """Return once every named projection has reached `position`; else ReadSideBehind."""
        names = list(names or self.projections)
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            reached = min(self.positions(names).values())
            if reached >= position:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ReadSideBehind(position, reached)
            self._wake.set()
            with self._progress:
                self._progress.wait(min(delay, remaining))
            delay = min(delay * 2, 0.1)

    # --- processing ------------------------------------------------------------------------
    def _read(self, start: int, limit: int | None = None) -> list[tuple[Any, int]]:
        """The next events after `start`, decoded, with their positions."""
        notifications = self.app.recorder.select_notifications(
            start=start + 1, limit=limit or self.batch_size, inclusive_of_start=True
        )
        return [(self.app.mapper.to_domain_event(n), n.id) for n in notifications]

    def _apply(self, name: str, start: int, events: list[tuple[Any, int]]) -> int:
        """Apply decoded events to one projection in one transaction, its position included."""
        projection = self.projections[name]
        end = events[-1][1]
        try:
            with self.writer.begin() as conn:
                # Compare-and-set first: a second runner of this projection fails here and rolls back.
                self.trackers[name].advance_in(conn, self.app.name, start, end)
                batch = Batch(conn)
                projection.preload(events, batch)
                for event, position in events:
                    projection.apply(event, position, batch)
                batch.flush()
        except IntegrityError:
            log.info("projection %s: another runner applied %s..%s first", name, start + 1, end)
            return 0
        with self._progress:
            self._progress.notify_all()
        return len(events)

    def process_batch(self, name: str, limit: int | None = None) -> int:
        """Apply the next batch of events to one projection; return how many were applied."""
        start = self.position(name)
        events = self._read(start, limit)
        return self._apply(name, start, events) if events else 0

    def _apply_together(self, names: list[str], start: int, events: list[tuple[Any, int]]) -> int:
        """Apply decoded events to projections at the same position in one transaction, event by
        event: projections that share an aggregate cache (the policy registers) then move each
        aggregate on once, not once each. If one of them fails, each is applied on its own, so the
        others still advance."""
        if len(names) == 1:
            return self._apply(names[0], start, events)
        end = events[-1][1]
        try:
            with self.writer.begin() as conn:
                batches = {name: Batch(conn) for name in names}
                for name in names:
                    self.trackers[name].advance_in(conn, self.app.name, start, end)
                    self.projections[name].preload(events, batches[name])
                for event, position in events:
                    for name in names:
                        self.projections[name].apply(event, position, batches[name])
                for batch in batches.values():
                    batch.flush()
        except IntegrityError:
            log.info("projections %s: another runner applied %s..%s first", ", ".join(names), start + 1, end)
            return 0
        except Exception:
            log.warning("projections %s failed together at %s..%s; applying each on its own",
                        ", ".join(names), start + 1, end, exc_info=True)
            return self._apply_each(names, start, events)
        with self._progress:
            self._progress.notify_all()
        return len(events) * len(names)

    def _apply_each(self, names: list[str], start: int, events: list[tuple[Any, int]]) -> int:
        """Apply the events to each projection in its own transaction; the first failure is raised
        once the others have had their turn."""
        applied, failure = 0, None
        for name in names:
            try:
                applied += self._apply(name, start, events)
            except Exception as e:
                failure = failure or e
        if failure is not None:
            raise failure
        return applied

    def process_round(self, names: Sequence[str] | None = None) -> int:
        """One batch for each named projection; those at the same position share one read of the log
        and one transaction."""
        groups: dict[int, list[str]] = {}
        for name, at in self.positions(names).items():
            groups.setdefault(at, []).append(name)
        applied = 0
        for start, group in groups.items():
            events = self._read(start)
            if events:
                applied += self._apply_together(group, start, events)
        return applied

    def catch_up(self, names: Sequence[str] | None = None, progress: Callable[[int], Any] | None = None) -> int:
        """Process until every named projection has reached the head of the log.

        `progress(n)` is told the number of events applied (summed over the projections).
        """
        names = list(names or self.projections)
        total = 0
        while True:
            count = self.process_round(names)
            total += count
            if count and progress is not None:
                progress(count)
            if count == 0:
                head = self.head()
                if all(at >= head for at in self.positions(names).values()):
                    return total
                time.sleep(0.01)

    def rebuild(self, names: Sequence[str] | None = None, progress: Callable[[int], Any] | None = None) -> int:
        """Empty the named projections' tables and process the whole log again; then have the database
        reclaim the superseded row versions and count the rows afresh (VACUUM ANALYZE on PostgreSQL,
        ANALYZE on SQLite), so that queries are not planned for empty tables."""
        names = list(names or self.projections)
        quote = self.engine.dialect.identifier_preparer.quote
        tables = [quote(t.name) for name in names for t in self.projections[name].tables]
        postgres = self.engine.dialect.name == "postgresql"
        with self.writer.begin() as conn:
            if postgres:
                conn.execute(text(f"TRUNCATE {', '.join(tables)}"))  # no dead rows left behind
            else:
                for name in names:
                    for table in reversed(self.projections[name].tables):
                        conn.execute(table.delete())
            for name in names:
                self.trackers[name].reset_in(conn)
        applied = self.catch_up(names, progress)
        if postgres:
            with self.writer.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in tables:
                    conn.execute(text(f"VACUUM ANALYZE {table}"))
        else:
            with self.writer.begin() as conn:
                for table in tables:
                    conn.execute(text(f"ANALYZE {table}"))
        return applied

    # --- running ---------------------------------------------------------------------------
    def wake(self, _position: int = 0) -> None:
        self._wake.set()

    def start(self, poll_interval: float = 0.5) -> None:
        """Run the projections in a background thread until `stop()`."""
        self.app.on_saved(self.wake)
        self._stop.clear()
        runner = threading.Thread(target=self.run, args=(poll_interval,), name="projections", daemon=True)
        runner.start()
        self._threads.append(runner)
        listen = getattr(self.app.recorder, "channel_name", None)
        if listen:
            listener = threading.Thread(target=self._listen, args=(listen,), name="listen", daemon=True)
            listener.start()
            self._threads.append(listener)

    def run(self, poll_interval: float = 0.5) -> None:
        """Process forever: whenever woken, or every `poll_interval` seconds."""
        while not self._stop.is_set():
            self._wake.clear()
            try:
                busy = self.process_round()
            except Exception:  # keep serving; the next round retries from the stored position
                log.exception("projection batch failed")
                busy = 0
                self._stop.wait(1.0)
            if not busy:
                self._wake.wait(poll_interval)

    def _listen(self, channel: str) -> None:
        """Wake on PostgreSQL NOTIFY from any process's commands."""
        from psycopg.sql import SQL, Identifier

        while not self._stop.is_set():
            try:
                with self.app.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
                    conn.execute(SQL("LISTEN {0}").format(Identifier(channel)))
                    conn.commit()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self._wake.set()
            except Exception:
                log.exception("LISTEN connection failed; retrying")
                self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
