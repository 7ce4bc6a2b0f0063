"""Schemathesis over the whole OpenAPI document, on SQLite and PostgreSQL (SPEC §10): generated requests
to every operation, with an admin token, never get a 5xx, and every response is as documented (status,
content type, headers, body schema). Bounded for `make test`; `make test-deep` goes further."""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from application.infrastructure.settings import Settings
from interface.app import create_app
from interface.bootstrap import bootstrap
from tests.builders.environment import JWT_SECRET, drop_postgres_database, new_postgres_database, require_postgres
from tests.builders.http import token

DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"

# The document needs no database: the app is built over settings alone, as `/schema` serves it (a stand-in
# for the services, which the document never touches).
_stand_in = SimpleNamespace(settings=Settings(jwt_secret=JWT_SECRET), close=lambda: None, read_side=None)
_document_app = create_app(cast(Any, _stand_in))
schema = schemathesis.openapi.from_dict(_document_app.openapi_schema.to_schema())

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def fuzz_client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Any]]:
    """One product per database for the whole run: state accumulates as a client's would."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'inscribe.db'}"
    else:
        require_postgres()
        url = new_postgres_database()
    services = bootstrap(Settings(database_url=url, jwt_secret=JWT_SECRET, read_wait_seconds=1.0), run_projections=True)
    try:
        with TestClient(app=create_app(services)) as client:
            yield client
    finally:
        services.close()
        if request.param == "postgres":
            drop_postgres_database(url)


@schema.parametrize()
@settings(max_examples=40 if DEEP else 3, deadline=None, derandomize=not DEEP, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented_and_never_with_a_5xx(case: Any, fuzz_client: TestClient[Any]) -> None:
    kwargs = case.as_transport_kwargs(
        base_url=str(fuzz_client.base_url), headers={"Authorization": f"Bearer {token('admin', 'fuzz')}"}
    )
    if "data" in kwargs:
        kwargs["content"] = kwargs.pop("data")
    fuzz_client.cookies.clear()
    fuzz_client.cookies.update(kwargs.pop("cookies", None) or {})

    response = fuzz_client.request(**kwargs)

    case.validate_response(response, checks=CHECKS)
