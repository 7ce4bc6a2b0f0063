"""Where each projection has got to in the event log, stored beside its rows."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder
from sqlalchemy import BigInteger, Column, Connection, String, Table, and_, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError as SAIntegrityError

from projections.db import metadata

tracking_table = Table(
    "projection_tracking",
    metadata,
    Column("projection", String(100), primary_key=True),
    Column("application_name", String(100), primary_key=True),
    Column("notification_id", BigInteger, nullable=False),
)


class SQLAlchemyTrackingRecorder(TrackingRecorder):
    """An eventsourcing TrackingRecorder over SQLAlchemy, one row per (projection, upstream).

    `insert_tracking_in(conn, …)` records a position inside the caller's transaction, so the
    rows a projection writes and its position commit together or not at all.
    """

    def __init__(self, engine: Engine, projection: str) -> None:
        self.engine = engine
        self.projection = projection

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.engine.begin() as conn:
            self.insert_tracking_in(conn, tracking)

    def insert_tracking_in(self, conn: Connection, tracking: Tracking) -> None:
        """Advance to `tracking`; refuse (IntegrityError) a position at or below the current one."""
        t = tracking_table
        key = and_(t.c.projection == self.projection, t.c.application_name == tracking.application_name)
        moved = conn.execute(
            update(t)
            .where(key, t.c.notification_id < tracking.notification_id)
            .values(notification_id=tracking.notification_id)
        ).rowcount
        if moved == 1:
            return
        if conn.execute(select(t.c.notification_id).where(key)).first() is not None:
            raise IntegrityError(
                f"{self.projection} has already processed {tracking.application_name} "
                f"notification {tracking.notification_id}"
            )
        try:
            conn.execute(
                insert(t).values(
                    projection=self.projection,
                    application_name=tracking.application_name,
                    notification_id=tracking.notification_id,
                )
            )
        except SAIntegrityError as e:
            raise IntegrityError(str(e)) from e

    def advance_in(self, conn: Connection, application_name: str, start: int, end: int) -> None:
        """Compare and set: move from exactly `start` to `end`, or raise IntegrityError.

        Two runners of one projection therefore never both apply the same batch.
        """
        t = tracking_table
        key = and_(t.c.projection == self.projection, t.c.application_name == application_name)
        if start == 0:
            current = conn.execute(select(t.c.notification_id).where(key)).scalar()
            if current is None:
                try:
                    conn.execute(
                        insert(t).values(
                            projection=self.projection, application_name=application_name, notification_id=end
                        )
                    )
                except SAIntegrityError as e:
                    raise IntegrityError(str(e)) from e
                return
        moved = conn.execute(update(t).where(key, t.c.notification_id == start).values(notification_id=end)).rowcount
        if moved != 1:
            raise IntegrityError(f"{self.projection} is no longer at position {start}")

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.engine.connect() as conn:
            return self.max_tracking_id_in(conn, application_name)

    def max_tracking_id_in(self, conn: Connection, application_name: str) -> int | None:
        t = tracking_table
        return conn.execute(
            select(func.max(t.c.notification_id)).where(
                t.c.projection == self.projection, t.c.application_name == application_name
            )
        ).scalar()

    def reset_in(self, conn: Connection) -> None:
        """Forget the position (rebuild starts again from the beginning)."""
        conn.execute(tracking_table.delete().where(tracking_table.c.projection == self.projection))
