"""A rebuild's shadow (projections.rebuild): connecting to it, and building one family of projections in it
up to the head of the log, by aggregate where it can, else in the log's order. Used by the rebuilding
process and by its workers (projections.rebuild_workers) alike."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from projections import audit_log_build
from projections.by_aggregate import can_rebuild_by_aggregate, rebuild_by_aggregate
from projections.db import sqlite_pragmas

if TYPE_CHECKING:
    from projections.runner import ReadSide

log = logging.getLogger(__name__)


def connect_shadow(url: Any, shadow: str) -> Engine:
    """An engine over the read side at `url` whose connections see the shadow tables (of `shadow`, a
    schema or a file) where the live ones would be."""
    if not str(url).startswith("sqlite"):
        # A small pool of its own (each connection set on the shadow's search path once): a rebuild opens
        # a transaction per batch, and a new connection for each would cost more than the batch.
        engine = create_engine(url, pool_size=2, max_overflow=2, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _search_path(dbapi_connection: Any, _: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f'SET search_path TO "{shadow}", public')
            dbapi_connection.commit()

        return engine
    engine = create_engine(
        f"sqlite:///{shadow}", connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
    )
    sqlite_pragmas(engine)
    return engine


def build_family(
    shadow: ReadSide, family: list[str], by_aggregate: bool, progress: Callable[[int], Any] | None = None
) -> int:
    """Build one family of projections in the shadow up to the head of the log: the audit log by the
    database (projections.audit_log_build), the others by aggregate, where they can; else (or when that
    fails) in the log's order; the events applied."""
    applied = 0
    if by_aggregate and family == ["audit_log"]:
        try:
            applied += audit_log_build.build(shadow, progress)
        except audit_log_build.NotInDatabase as e:
            log.info("the audit log is rebuilt by Python: %s", e)
        except Exception:  # in the log's order, a failing event faults the register exactly
            log.warning("building the audit log in the database failed; in the log's order", exc_info=True)
            empty(shadow, family)
            audit_log_build.restore_indexes(shadow)
            applied = 0
    elif by_aggregate and can_rebuild_by_aggregate(shadow, family):
        try:
            applied += rebuild_by_aggregate(shadow, family, progress)
        except Exception:  # in the log's order, a failing event faults its projection exactly
            log.warning("rebuilding %s by aggregate failed; in the log's order", family, exc_info=True)
            empty(shadow, family)
    return applied + shadow.catch_up(family, progress)  # what was recorded meanwhile


def empty(shadow: ReadSide, names: list[str]) -> None:
    """Clear what a failed pass wrote of these projections in the shadow: they start again from 0."""
    with shadow.writer.begin() as conn:
        for name in names:
            for table in shadow.projections[name].tables:
                conn.execute(table.delete())
            shadow.trackers[name].reset_in(conn)
            shadow.projections[name].forget()
