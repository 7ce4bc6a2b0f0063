"""The console's server time on the volume book: each kind of page, signed in as an auditor, beside the API
call (or calls) it makes for its data, so the ratio is what rendering and the in-process call add."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from bench.volume_queries import timed
from interface.app import create_app
from interface.auth import mint_token
from interface.bootstrap import Services
from projections import policies as pol
from projections.versioned import as_of


def _signed_in(client: TestClient[Any], secret: str) -> str:
    """Sign the client in to the console as an auditor; the bearer token, for the API baselines."""
    token = mint_token(secret, "bench-auditor", "auditor")
    page = client.get("/console/sign-in").text
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert found is not None
    answered = client.post(
        "/console/sign-in", data={"token": token, "_csrf_token": found.group(1)}, follow_redirects=False
    )
    assert answered.status_code == 303, answered.text
    return token


def pages(services: Services, samples: int) -> dict[str, Any]:
    """p50/p99 of each console page (ours) and of the API calls behind it (baseline), in one run."""
    with services.read_side.engine.connect() as conn:
        policy_id = conn.execute(select(pol.policies.c.policy_id).where(as_of(pol.policies, None)).limit(1)).scalar()
    year_ago = "2025-12-01"
    with TestClient(create_app(services)) as client:
        token = _signed_in(client, services.settings.resolved_jwt_secret())
        bearer = {"Authorization": f"Bearer {token}"}

        def page(path: str) -> Callable[[int], Any]:
            def get(_: int) -> None:
                answered = client.get(path)
                assert answered.status_code == 200, (path, answered.status_code, answered.text[:300])

            return get

        def api(*paths: str) -> Callable[[int], Any]:
            def get(_: int) -> None:
                for path in paths:
                    answered = client.get(path, headers=bearer)
                    assert answered.status_code == 200, (path, answered.text[:300])

            return get

        history = f"/api/v1/policies/{policy_id}/history"
        cases: dict[str, tuple[str, Callable[[int], Any]]] = {
            "policies register, now": (
                "/console/registers/policies",
                api("/api/v1/policies?page=1&page_size=50&sort=-applied_on"),
            ),
            "policies register, as of a year ago": (
                f"/console/registers/policies?as_of={year_ago}",
                api(f"/api/v1/policies?page=1&page_size=50&sort=-applied_on&as_of={year_ago}"),
            ),
            "audit log register": (
                "/console/registers/audit-log",
                api("/api/v1/audit/log?page_size=50&sort=-position"),
            ),
            "policy timeline with a diff": (
                f"/console/timeline/policy/{policy_id}?from=1&to=3",
                api(history, f"/api/v1/policies/{policy_id}"),
            ),
            "claims queue": (
                "/console/queues/claims",
                api("/api/v1/claims?open=true&sort=decision_due_on&page_size=100"),
            ),
            "loss ratio chart": ("/console/charts/loss-ratio", api("/api/v1/reports/loss-ratio?group_by=line")),
            "persistency chart by month": (
                "/console/charts/persistency?group_by=month",
                api("/api/v1/reports/persistency?group_by=month"),
            ),
        }
        return {
            label: {"ours": timed(samples, page(path)), "baseline": timed(samples, baseline)}
            for label, (path, baseline) in cases.items()
        }
