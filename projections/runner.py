"""Runs projections: batches of events, one transaction each, position included.

In-process, a runner thread wakes when the application saves; on PostgreSQL it also wakes on
LISTEN/NOTIFY (commands saved by other processes); otherwise it polls briefly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError
from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine

from projections.base import Batch, Projection
from projections.db import create_tables, renew_changed_schemas, schema_lock, writer
from projections.event_log import EventLog
from projections.faults import Fault, clear_fault, describe, faults, faults_table, record_fault
from projections.listen import listen_for_saves
from projections.log_slice import Slice, read_slice
from projections.rebuild import rebuild
from projections.reports.sums import SUMMARIES
from projections.status import ProjectionsFaulted, ProjectionStatus, ReadSideBehind
from projections.summaries import TABLES as SUMMARY_TABLES
from projections.summaries import Keeper, forget
from projections.tracking import SQLAlchemyTrackingRecorder, tracking_table

__all__ = ["ProjectionStatus", "ProjectionsFaulted", "ReadSide", "ReadSideBehind"]

log = logging.getLogger(__name__)

#: A rebuild's batches hold this many of the live runner's (INSCRIBE_PROJECTION_BATCH_SIZE) each.
REBUILD_BATCHES = 4


class ReadSide:
    """The projections over one application's log, their runner and the read-your-writes wait."""

    def __init__(
        self,
        app: EventLog,
        engine: Engine,
        projections: Sequence[Projection],
        batch_size: int = 500,
        *,
        retry_delay: float = 1.0,
        max_retry_delay: float = 60.0,
        prepare: bool = True,
        replica: Engine | None = None,
    ) -> None:
        self.app = app
        self.engine = engine
        #: Where registers, pages and reports are read, and `wait_for` reads the positions: a replica of
        #: the read side (INSCRIBE_READ_DATABASE_URL), else the read side itself.
        self.queries = replica or engine
        self.writer = writer(engine)
        self.projections = {p.name: p for p in projections}
        for projection in projections:
            projection.bind(app)
        self.batch_size = batch_size
        # Faulted projections wait `retry_delay`, doubling up to `max_retry_delay`, between attempts.
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self._retry_at: dict[str, float] = {}
        self._delay: dict[str, float] = {}
        self._held: dict[str, tuple[int, str]] = {}
        self._faulted: set[str] | None = None  # stored faults, read once
        self.trackers = {p.name: SQLAlchemyTrackingRecorder(self.writer, p.name) for p in projections}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._progress = threading.Condition()
        self._threads: list[threading.Thread] = []
        #: The live read side (not a rebuild's shadow) keeps the report summaries (projections.summaries).
        self.summaries = Keeper(SUMMARIES if prepare else ())
        if prepare:
            self._prepare(projections)

    def _prepare(self, projections: Sequence[Projection]) -> None:
        """Create the tables; a projection whose tables changed since this database last saw it starts
        again from 0. Under the schema lock, so processes started together never race on it."""
        with schema_lock(self.engine) as conn:
            tables = [tracking_table, faults_table, *SUMMARY_TABLES, *(t for p in projections for t in p.tables)]
            create_tables(conn, tables)
            renewed = renew_changed_schemas(conn, {p.name: p.tables for p in projections})
            for name in renewed:
                self.trackers[name].reset_in(conn)
            forget(conn, SUMMARIES, renewed)
        if renewed:
            log.warning("read-side tables changed for %s: rebuilding from the log", ", ".join(renewed))

    # --- positions -------------------------------------------------------------------------
    def position(self, name: str, conn: Connection | None = None) -> int:
        tracker = self.trackers[name]
        if conn is not None:
            return tracker.max_tracking_id_in(conn, self.app.name) or 0
        # Read through the plain engine: on SQLite the writer's transactions take the write lock.
        with self.engine.connect() as reader:
            return tracker.max_tracking_id_in(reader, self.app.name) or 0

    def positions(self, names: Sequence[str] | None = None, engine: Engine | None = None) -> dict[str, int]:
        """The positions of the named projections (default: all), in one query (of `engine`, default the
        read side's)."""
        names = list(names or self.projections)
        t = tracking_table
        with (engine or self.engine).connect() as reader:
            query = select(t.c.projection, t.c.notification_id).where(
                t.c.application_name == self.app.name, t.c.projection.in_(names)
            )
            found: dict[str, int] = dict(reader.execute(query).all())
        return {name: found.get(name) or 0 for name in names}

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        faulted = self.faults()
        return [ProjectionStatus(name, at, head, faulted.get(name)) for name, at in self.positions().items()]

    def wait_for(self, position: int, names: Sequence[str] | None = None, timeout: float = 5.0) -> None:
        """Return once every named projection has reached `position` where queries read (a replica's own
        positions); else ReadSideBehind, at once when one of them is faulted before it (it will not get
        there by waiting)."""
        names = list(names or self.projections)
        deadline = time.monotonic() + timeout
        delay = 0.005
        first = True
        while True:
            reached = min(self.positions(names, self.queries).values())
            if reached >= position:
                return
            if first:
                first = False
                stuck = sorted(n for n, f in self.faults().items() if n in names and f.failing_position <= position)
                if stuck:
                    raise ReadSideBehind(position, reached, stuck)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ReadSideBehind(position, reached)
            self._wake.set()
            with self._progress:
                self._progress.wait(min(delay, remaining))
            delay = min(delay * 2, 0.1)

    # --- processing ------------------------------------------------------------------------
    def _read(self, names: Sequence[str], start: int, limit: int | None = None) -> Slice:
        """The next batch of the log for these projections: only their topics, seals opened only if one of
        them shows personal fields, headers only if that is all they read."""
        personal = any(self.projections[name].personal for name in names)
        headers = all(self.projections[name].headers for name in names)
        topics = self.topics(names)
        return read_slice(self.app, start, limit or self.batch_size, topics, personal=personal, headers=headers)

    def topics(self, names: Sequence[str]) -> frozenset[str] | None:
        """The topics the named projections read (None: one of them reads every event)."""
        found: set[str] = set()
        for name in names:
            topics = self.projections[name].topics()
            if topics is None:
                return None
            found |= topics
        return frozenset(found)

    def process_batch(self, name: str, limit: int | None = None) -> int:
        """Apply the next batch of events to one projection in one transaction; return how many were
        applied. A failure is raised (the runner's rounds isolate it instead: `process_round`)."""
        start = self.position(name)
        read = self._read([name], start, limit)
        if read.undecodable is not None and not read.events:
            raise RuntimeError(read.undecodable.error)
        return self._apply([name], start, read) if read.end > start else 0

    def _apply_together(self, names: list[str], start: int, read: Slice) -> int:
        """Apply decoded events to projections at the same position, all in one transaction (`_apply`).
        If one of them fails, each is applied on its own, so the others still advance and only the
        failing one is held back (faulted)."""
        if len(names) == 1:
            return self._apply_isolated(names[0], start, read)
        try:
            return self._apply(names, start, read)
        except Exception:
            log.warning(
                "projections %s failed together at %s..%s; applying each on its own",
                ", ".join(names),
                start + 1,
                read.end,
                exc_info=True,
            )
            return sum(self._apply_isolated(name, start, read) for name in names)

    def _apply(self, names: list[str], start: int, read: Slice) -> int:
        """Apply decoded events to projections at the same position in one transaction, their positions
        (moved to the end of the slice) included, event by event: projections that share an aggregate
        cache (the policy registers) then move each aggregate on once, not once each."""
        events, end = read.events, read.end
        try:
            with self.writer.begin() as conn:
                batches = {name: Batch(conn) for name in names}
                for name in names:
                    # Compare-and-set first: a second runner of this projection fails here and rolls back.
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
        for name in names:
            self._recovered(name)
        with self._progress:
            self._progress.notify_all()
        return read.covered * len(names)

    def _apply_isolated(self, name: str, start: int, read: Slice) -> int:
        """Apply the events to one projection; if the batch fails, apply them one by one up to the
        event that fails, and mark the projection faulted there. Never raises."""
        try:
            return self._apply([name], start, read)
        except Exception:
            pass
        applied, at = 0, start
        for event, position in read.events:
            try:
                applied += self._apply([name], at, Slice([(event, position)], position, 1))
            except Exception as e:
                log.exception("projection %s failed on the event at position %s", name, position)
                self._fault(name, position, describe(e))
                break
            at = position
        return applied

    def _process_group(self, group: list[str], start: int, limit: int | None = None) -> int:
        read = self._read(group, start, limit)
        applied = self._apply_together(group, start, read) if read.end > start else 0
        if read.undecodable is not None and not read.events:
            for name in group:
                self._fault(name, read.undecodable.position, read.undecodable.error)
        return applied

    def process_round(self, names: Sequence[str] | None = None) -> int:
        """One batch for each named projection that is not waiting to retry a fault; those at the
        same position share one read of the log and one transaction. One projection's failure never
        stops the others."""
        now = time.monotonic()
        groups: dict[int, list[str]] = {}
        for name, at in self.positions(names).items():
            if self._retry_at.get(name, 0.0) <= now:
                groups.setdefault(at, []).append(name)
        applied = 0
        for start, group in groups.items():
            try:
                applied += self._process_group(group, start)
            except Exception as e:  # the log itself could not be read: retry the group later
                log.exception("projections %s: reading the log after %s failed", ", ".join(group), start)
                for name in group:
                    self._hold_back(name, start + 1, describe(e))
        return applied

    # --- faults ----------------------------------------------------------------------------
    def _fault(self, name: str, position: int, error: str) -> None:
        """Hold the projection back: store the fault (every process sees it) and retry later."""
        try:
            with self.writer.begin() as conn:
                fault = record_fault(conn, self.app.name, name, position, error)
            log.error("projection %s is faulted at position %s (attempt %d): %s", name, position, fault.attempts, error)
        except Exception:
            log.exception("projection %s: the fault could not be stored", name)
        if self._faulted is not None:
            self._faulted.add(name)
        self._hold_back(name, position, error)

    def _hold_back(self, name: str, position: int, error: str) -> None:
        delay = min(self._delay.get(name, self.retry_delay / 2) * 2, self.max_retry_delay)
        self._delay[name] = delay
        self._retry_at[name] = time.monotonic() + delay
        self._held[name] = (position, error)

    def _recovered(self, name: str) -> None:
        if self._faulted is None:  # faults stored by an earlier run of this or another process
            self._faulted = set(self.faults())
        if name in self._faulted:
            with self.writer.begin() as conn:
                clear_fault(conn, self.app.name, name)
            self._faulted.discard(name)
            log.warning("projection %s recovered", name)
        self._held.pop(name, None)
        self._retry_at.pop(name, None)
        self._delay.pop(name, None)

    def forget_faults(self, names: Sequence[str]) -> None:
        """These projections were rebuilt: whatever held them back is gone."""
        for name in names:
            self._held.pop(name, None)
            self._retry_at.pop(name, None)
            self._delay.pop(name, None)
            if self._faulted is not None:
                self._faulted.discard(name)

    def retry_now(self) -> None:
        """Retry faulted projections at the next round instead of after their delay."""
        self._retry_at.clear()

    def faults(self) -> dict[str, Fault]:
        """The faulted projections (stored, so those of other processes too)."""
        with self.engine.connect() as conn:
            return faults(conn, self.app.name)

    def catch_up(self, names: Sequence[str] | None = None, progress: Callable[[int], Any] | None = None) -> int:
        """Process until every named projection has reached the head of the log.

        `progress(n)` is told the number of events applied (summed over the projections). A projection
        that faults does not stop the others: once they are all at the head, `ProjectionsFaulted` names
        the faulted ones.
        """
        names = list(names or self.projections)
        total, seen = 0, self.positions(names)
        while True:
            count = self.process_round(names)
            total += count
            if count and progress is not None:
                progress(count)
            if count == 0:
                head, now = self.head(), self.positions(names)
                held = {n: self._held[n] for n in names if n in self._held}
                if all(at >= head for n, at in now.items() if n not in held):
                    self.summaries.seal(self)
                    if held:
                        raise ProjectionsFaulted(held)
                    return total
                if now == seen:  # nothing moved: wait for the log (or a retry) rather than spin
                    time.sleep(0.01)
                seen = now

    def rebuild(
        self, names: Sequence[str] | None = None, progress: Callable[[int], Any] | None = None, *, workers: int = 1
    ) -> int:
        """Rebuild the named projections beside the live registers and switch them in one transaction
        (projections.rebuild): a failed or killed rebuild leaves the live registers serving. With
        `workers` > 1, that many processes build the families of registers side by side."""
        settings = getattr(self.app, "settings", None)
        applied = rebuild(self, list(names or self.projections), progress, workers=workers, settings=settings)
        self.summaries.seal(self, again=True)  # the rebuild forgot the sums of the registers it switched in
        return applied

    def beside(self, engine: Engine, projections: Sequence[Projection]) -> ReadSide:
        """A runner of `projections` over the same log writing through `engine` (a rebuild's shadow),
        whose tables the caller has made. Its batches are REBUILD_BATCHES times the live ones: no reader
        waits for a shadow's batch, and fewer transactions carry the same events."""
        return ReadSide(self.app, engine, projections, self.batch_size * REBUILD_BATCHES, prepare=False)

    # --- running ---------------------------------------------------------------------------
    def wake(self, _position: int = 0) -> None:
        self._wake.set()

    def start(self, poll_interval: float = 0.5, only: Sequence[str] | None = None) -> None:
        """Run the projections (`only` these, default all) in a background thread until `stop()`."""
        self.app.on_saved(self.wake)
        self._stop.clear()
        runner = threading.Thread(target=self.run, args=(poll_interval, only), name="projections", daemon=True)
        runner.start()
        self._threads.append(runner)
        listen = getattr(self.app.recorder, "channel_name", None)
        if listen:
            listener = threading.Thread(
                target=listen_for_saves, args=(self.app, listen, self._stop, self._wake), name="listen", daemon=True
            )
            listener.start()
            self._threads.append(listener)

    def run(self, poll_interval: float = 0.5, only: Sequence[str] | None = None) -> None:
        """Process forever (`only` these projections, default all): whenever woken, or every
        `poll_interval` seconds."""
        while not self._stop.is_set():
            self._wake.clear()
            try:
                busy = self.process_round(only)
                self.summaries.seal(self)
            except Exception:  # keep serving; the next round retries from the stored position
                log.exception("projection batch failed")
                busy = 0
                self._stop.wait(1.0)
            if not busy:
                self._wake.wait(poll_interval)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
