"""Operator queries: where each projection stands."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get
from litestar.di import NamedDependency
from pydantic import BaseModel

from interface.auth import requires
from interface.bootstrap import Services
from projections.db import aware
from projections.runner import ProjectionStatus


class ProjectionState(BaseModel):
    """Where a projection stands; a faulted one also says where it stopped, why, since when."""

    name: str
    state: str  # up-to-date, catching-up or faulted
    position: int
    head: int
    lag: int
    failing_position: int | None = None
    error: str | None = None
    since: datetime | None = None
    last_attempt: datetime | None = None
    attempts: int | None = None


def projection_state(status: ProjectionStatus) -> ProjectionState:
    state = ProjectionState(
        name=status.name, state=status.state, position=status.position, head=status.head, lag=status.lag
    )
    fault = status.fault
    if fault is None:
        return state
    return state.model_copy(
        update={
            "failing_position": fault.failing_position,
            "error": fault.error,
            "since": aware(fault.since),
            "last_attempt": aware(fault.last_attempt),
            "attempts": fault.attempts,
        }
    )


class SystemQueries(Controller):
    path = "/api/v1/projections"
    tags = ["operations"]
    guards = [requires("projections.read")]

    @get("/", sync_to_thread=True)
    def projections(self, services: NamedDependency[Services]) -> list[ProjectionState]:
        """Each projection's log position, the head of the log and the lag between them. A projection
        that fails on an event is `faulted` (SPEC §8): it holds back only itself, shows the event it
        fails on, the error and since when, and is retried with a growing delay."""
        return [projection_state(s) for s in services.read_side.status()]
