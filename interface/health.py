"""Liveness and readiness, open to the orchestrator (no token).

`/health/live` (and `/health`, its alias) answers 200 while the process serves. `/health/ready` answers
200 when the database answers, no projection is faulted and none is more than INSCRIBE_READY_MAX_LAG
events behind the log; otherwise 503, a problem naming why. With a read replica (INSCRIBE_READ_DATABASE_URL),
where this process's queries read, the replica must answer too and its copy of each register be within
the same lag.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency

from interface.bootstrap import Services
from interface.errors import database_unavailable, problem

log = logging.getLogger("inscribe.health")
OPEN = {"exclude_from_auth": True}


@get(["/health", "/health/live"], sync_to_thread=False, include_in_schema=False, opt=OPEN)
def live() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@get("/health/ready", sync_to_thread=True, include_in_schema=False, opt=OPEN)
def ready(services: NamedDependency[Services]) -> Response[dict[str, Any]]:
    """Ready to serve: the database answers, no projection faulted, none lagging beyond the threshold."""
    try:
        statuses = services.read_side.status()
    except Exception as error:
        if not database_unavailable(error):
            raise
        log.warning("not ready: the database is unreachable (%s)", type(error).__name__)
        return problem(
            503, "Not ready", "the database cannot be reached", "not-ready", reasons=["database-unreachable"]
        )
    head = statuses[0].head if statuses else 0
    replica = replica_lags(services, head)
    if replica is None:
        log.warning("not ready: the read replica is unreachable")
        return problem(
            503,
            "Not ready",
            "the read replica's positions cannot be read",
            "not-ready",
            reasons=["replica-unreachable"],
        )
    limit = services.settings.ready_max_lag
    faulted = sorted(s.name for s in statuses if s.fault is not None)
    lagging = {s.name: s.lag for s in statuses if s.fault is None and s.lag > limit}
    replica_lagging = {name: lag for name, lag in replica.items() if lag > limit and name not in faulted}
    reasons = (["projection-faulted"] if faulted else []) + (["projection-lagging"] if lagging else [])
    reasons += ["replica-lagging"] if replica_lagging else []
    if not reasons:
        answer: dict[str, Any] = {"status": "ready", "head": head, "max_lag": max((s.lag for s in statuses), default=0)}
        if replica:
            answer["replica_max_lag"] = max(replica.values())
        return Response(answer)
    why = [f"{', '.join(faulted)} faulted (see /api/v1/projections)"] if faulted else []
    why += [f"{name} is {lag} events behind (more than {limit})" for name, lag in sorted(lagging.items())]
    why += [
        f"the replica's {n} is {lag} events behind (more than {limit})" for n, lag in sorted(replica_lagging.items())
    ]
    log.warning("not ready: %s", "; ".join(why))
    extra: dict[str, Any] = {"replica_lagging": replica_lagging} if replica_lagging else {}
    return problem(
        503, "Not ready", "; ".join(why), "not-ready", reasons=reasons, faulted=faulted, lagging=lagging, **extra
    )


def replica_lags(services: Services, head: int) -> dict[str, int] | None:
    """Each register's lag on the read replica ({} without one); None when its positions cannot be read
    (the replica is down, or holds no read side yet)."""
    read_side = services.read_side
    if read_side.queries is read_side.engine:
        return {}
    try:
        positions = read_side.positions(engine=read_side.queries)
    except Exception as error:  # down, or not (yet) a copy of the read side: either way, not ready
        log.warning("the read replica's positions cannot be read (%s)", type(error).__name__)
        return None
    return {name: max(head - position, 0) for name, position in positions.items()}
