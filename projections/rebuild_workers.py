"""A rebuild's families built in parallel processes (`inscribe projections rebuild --workers N`).

Each family of registers (those reading the same events: projections.rebuild.families) is built by one
worker process into the rebuild's shadow, exactly as the rebuilding process builds it itself: by aggregate
where it can, then in the log's order up to the head. The rebuilding process waits for them all and
switches the shadow in at once (projections.rebuild); if any worker fails, nothing is switched.

Workers are fresh interpreters (spawned, not forked: the parent's pools and threads are not theirs). Each
opens the log with the same settings and writes through its own connections to the shadow, which the
rebuilding process made; on PostgreSQL they write different tables of one schema side by side, on SQLite
their transactions take the shadow file's lock in turn. The largest families start first. A worker that
dies fails the rebuild; a worker whose rebuilding process died stops at its next batch.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from application.infrastructure.settings import Settings
from projections.shadow import build_family, connect_shadow

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

    from projections.runner import ReadSide

#: Seconds between the rebuilding process's looks at its workers' progress.
PROGRESS_EVERY = 0.25


class RebuildWorkerFailed(Exception):
    """A worker could not build its family (its error, as the worker saw it), or died."""


def _build(
    kind: type[ReadSide],
    settings: Settings,
    shadow: str,
    names: list[str],
    batch_size: int,
    by_aggregate: bool,
    applied: Synchronized[int],
    results: Any,
) -> None:
    """In a worker: build `names` (one family) with a `kind` (the ReadSide) over the log opened with
    `settings`, in the shadow `shadow` (schema or file) up to the head,
    counting what it applies in `applied`; put (names, count, error, held) on `results`: `held` the
    projections that faulted (ProjectionsFaulted), `error` any other failure."""
    from application.app import InscribeApplication, ReadSidePorts
    from projections.faults import describe
    from projections.registry import all_projections
    from projections.status import ProjectionsFaulted

    parent = os.getppid()

    def count(n: int) -> None:
        if os.getppid() != parent:  # the rebuilding process is gone (killed): so is its rebuild
            raise SystemExit(1)
        with applied.get_lock():
            applied.value += n

    try:
        app = InscribeApplication(settings, read_side=ReadSidePorts.none("a rebuild worker"))
        engine = connect_shadow(settings.read_url, shadow)
        try:
            fresh = [p for p in all_projections() if p.name in names]
            read_side = kind(app, engine, fresh, batch_size, prepare=False)
            results.put((names, build_family(read_side, names, by_aggregate, count), None, None))
        finally:
            engine.dispose()
            app.close()
    except ProjectionsFaulted as e:
        results.put((names, 0, None, e.held))
    except BaseException as e:
        results.put((names, 0, describe(e), None))


def build_in_workers(
    read_side: ReadSide,
    settings: Settings,
    shadow: str,
    families: Sequence[list[str]],
    by_aggregate: bool,
    workers: int,
    progress: Callable[[int], Any] | None = None,
) -> int:
    """Build each family in one of `workers` processes at a time; the events applied in all. The first
    failure is raised once the other workers are stopped (the caller drops the shadow): ProjectionsFaulted
    naming the projections that faulted, as a rebuild in one process raises it, or RebuildWorkerFailed."""
    from projections.status import ProjectionsFaulted

    context = multiprocessing.get_context("spawn")
    applied: Synchronized[int] = context.Value("q", 0)
    results = context.Queue()
    # families that read every event (the audit log) first, then those of more registers
    waiting = sorted(families, key=lambda family: (read_side.topics(family) is not None, -len(family)))
    running: dict[tuple[str, ...], Any] = {}
    total, reported = 0, 0
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                family = waiting.pop(0)
                process = context.Process(
                    target=_build,
                    # the runner's class travels by name: this module never imports the runner (which imports it)
                    args=(
                        type(read_side),
                        settings,
                        shadow,
                        family,
                        read_side.batch_size,
                        by_aggregate,
                        applied,
                        results,
                    ),
                    name=f"rebuild {'+'.join(family)}",
                )
                process.start()
                running[tuple(family)] = process
            try:
                names, count, error, held = results.get(timeout=PROGRESS_EVERY)
            except queue.Empty:
                _check_alive(running)
            else:
                running.pop(tuple(names)).join()
                if held:
                    raise ProjectionsFaulted(held)
                if error is not None:
                    raise RebuildWorkerFailed(f"rebuilding {', '.join(names)}: {error}")
                total += count
            reported = _report(applied, reported, progress)
    finally:
        for process in running.values():  # a failure elsewhere: stop the others, their shadow is dropped
            process.terminate()
            process.join()
    return total


def _check_alive(running: dict[tuple[str, ...], Any]) -> None:
    """A worker that died without answering (killed, out of memory) fails the rebuild."""
    for names, process in running.items():
        if not process.is_alive() and process.exitcode not in (None, 0):
            raise RebuildWorkerFailed(f"rebuilding {', '.join(names)}: the worker died (exit {process.exitcode})")


def _report(applied: Synchronized[int], reported: int, progress: Callable[[int], Any] | None) -> int:
    now = applied.value
    if progress is not None and now > reported:
        progress(now - reported)
    return now
