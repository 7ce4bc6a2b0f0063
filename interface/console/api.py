"""The console reads the books through the API itself, in process, with the signed-in caller's token: the
same permissions, masking, recorded unmasked reads, `as_of`, filters and problems as any client, with no
second path to the data that could drift from the first."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx
from litestar import Request

#: The host the in-process calls name (they never leave the process).
BASE_URL = "http://inscribe.console"


class ApiProblem(Exception):
    """The API answered a problem (RFC 9457): its status and body, for the console to show."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        super().__init__(problem.get("detail") or problem.get("title") or f"HTTP {status}")
        self.status = status
        self.problem = dict(problem)


def clean(params: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters without the empty ones (an empty filter means no filter)."""
    return {k: str(v) for k, v in params.items() if v is not None and str(v).strip() != ""}


class Api:
    """GETs against the API with the caller's token, in process (request.app over an ASGI transport)."""

    def __init__(self, request: Request[Any, Any, Any]) -> None:
        self.app = request.app
        self.token = str(request.auth)
        self.correlation_id = request.headers.get("x-correlation-id")

    def headers(self, accept: str = "application/json") -> dict[str, str]:
        found = {"Authorization": f"Bearer {self.token}", "Accept": accept, "X-Inscribe-Console": "1"}
        if self.correlation_id:
            found["X-Correlation-Id"] = self.correlation_id
        return found

    @asynccontextmanager
    async def client(self) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(
            app=cast(Any, self.app)
        )  # Litestar is an ASGI app (its scope types are narrower)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=60) as client:
            yield client

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The JSON answer of GET `path`; ApiProblem if the API refused."""
        async with self.client() as client:
            response = await client.get(path, params=clean(params or {}), headers=self.headers())
        return answer(response)

    async def download(self, path: str, params: Mapping[str, Any], accept: str) -> httpx.Response:
        """The whole answer of GET `path` as `accept` (CSV, a ZIP): for the console to pass on."""
        async with self.client() as client:
            response = await client.get(path, params=clean(params), headers=self.headers(accept))
        if response.status_code >= 400:
            answer(response)
        return response


def answer(response: httpx.Response) -> Any:
    """The JSON body of a successful answer, or ApiProblem with the problem the API gave."""
    if response.status_code < 400:
        return response.json()
    try:
        problem = response.json()
    except ValueError:
        problem = {"title": response.reason_phrase, "detail": response.text[:500]}
    raise ApiProblem(response.status_code, problem if isinstance(problem, dict) else {"detail": str(problem)})
