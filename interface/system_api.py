"""Operator queries: where each projection stands."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from pydantic import BaseModel

from interface.auth import requires
from interface.bootstrap import Services


class ProjectionState(BaseModel):
    name: str
    position: int
    head: int
    lag: int


class SystemQueries(Controller):
    path = "/api/v1/projections"
    tags = ["operations"]
    guards = [requires("projections.read")]

    @get("/", sync_to_thread=True)
    def projections(self, services: NamedDependency[Services]) -> list[ProjectionState]:
        """Each projection's log position, the head of the log and the lag between them."""
        return [ProjectionState(name=s.name, position=s.position, head=s.head, lag=s.lag)
                for s in services.read_side.status()]
