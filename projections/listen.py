"""Waking the projection runner when another process saves: PostgreSQL's LISTEN on the log's channel."""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)


def listen_for_saves(app: Any, channel: str, stop: threading.Event, wake: threading.Event) -> None:
    """Set `wake` on every PostgreSQL NOTIFY on `channel` (any process's commands) until `stop` is set; a lost
    connection is opened again a second later."""
    from psycopg.sql import SQL, Identifier

    while not stop.is_set():
        try:
            with app.recorder.datastore.get_connection() as conn:
                conn.execute(SQL("LISTEN {0}").format(Identifier(channel)))
                conn.commit()
                while not stop.is_set():
                    for _ in conn.notifies(timeout=0.5, stop_after=1):
                        wake.set()
        except Exception:
            log.exception("LISTEN connection failed; retrying")
            stop.wait(1.0)
