"""Liveness and readiness, open to the orchestrator (no token).

`/health/live` (and `/health`, its alias) answers 200 while the process serves. `/health/ready` answers
200 when the database answers, no projection is faulted and none is more than INSCRIBE_READY_MAX_LAG
events behind the log; otherwise 503, a problem naming why.
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
    limit = services.settings.ready_max_lag
    faulted = sorted(s.name for s in statuses if s.fault is not None)
    lagging = {s.name: s.lag for s in statuses if s.fault is None and s.lag > limit}
    reasons = (["projection-faulted"] if faulted else []) + (["projection-lagging"] if lagging else [])
    if not reasons:
        head = statuses[0].head if statuses else 0
        return Response({"status": "ready", "head": head, "max_lag": max((s.lag for s in statuses), default=0)})
    why = [f"{', '.join(faulted)} faulted (see /api/v1/projections)"] if faulted else []
    why += [f"{name} is {lag} events behind (more than {limit})" for name, lag in sorted(lagging.items())]
    log.warning("not ready: %s", "; ".join(why))
    return problem(503, "Not ready", "; ".join(why), "not-ready", reasons=reasons, faulted=faulted, lagging=lagging)
