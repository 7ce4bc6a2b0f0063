"""The OpenAPI document as a client's contract (SPEC §10): a valid OpenAPI 3.1 document, every operation
summarised, described, with its problem responses and the headers it reads and sends; a client generated
from it by openapi-python-client covers every operation without a warning and drives a short story (register,
apply, pay, report a claim, read the registers) on SQLite and PostgreSQL; the docs pages load their
scripts from the app itself, never from another host."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, cast

import pytest
from litestar.testing import TestClient
from openapi_spec_validator import validate

from application.infrastructure.settings import Settings
from interface.app import create_app
from interface.openapi import COMMAND_HEADERS, STATIC_DIR
from interface.openapi_codes import handlers_by_operation, operation_codes
from interface.openapi_summaries import SUMMARIES
from interface.problem_codes import CODES
from tests.builders.claims_http import report_body
from tests.builders.common import individual_body
from tests.builders.desk import START, Desk
from tests.builders.environment import JWT_SECRET
from tests.builders.http import token

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
METHODS = ("get", "put", "post", "delete", "patch")
#: A zip download is bytes to a client; openapi-python-client is told so (its documented override).
GENERATOR_CONFIG = "content_type_overrides:\n  application/zip: application/octet-stream\n"
GENERATE = ["generate", "--path", "openapi.json", "--output-path", "client", "--config", "config.yml", "--meta", "none"]


def _document_app() -> Any:
    """The app over settings alone, as `/schema` serves it (a stand-in for the services)."""
    stand_in = SimpleNamespace(settings=Settings(jwt_secret=JWT_SECRET), close=lambda: None, read_side=None)
    return create_app(cast(Any, stand_in))


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    with TestClient(app=_document_app()) as client:
        response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    served: dict[str, Any] = response.json()
    return served


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any violation (a bearer scheme with a `name` was one)
    assert "name" not in document["components"]["securitySchemes"]["BearerToken"]


def test_every_operation_has_a_summary_in_words_and_a_description(document: dict[str, Any]) -> None:
    found = {f"{method.upper()} {path}" for method, path, _ in operations(document)}
    assert set(SUMMARIES) <= found, f"summaries for no operation: {set(SUMMARIES) - found}"
    for method, path, operation in operations(document):
        where = f"{method.upper()} {path}"
        assert " " in operation["summary"] and operation["summary"][0].isupper(), where  # not "AnalyseNeeds"
        assert len(operation.get("description", "")) >= 10, where
    needs = next(o for m, p, o in operations(document) if p.endswith("needs-analyses"))
    assert (needs["summary"], needs["operationId"]) == ("Analyse a customer's needs", "analyse_customers_needs")
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z0-9_]+", i) for i in ids)


def test_every_operation_documents_its_problems_and_the_headers_it_reads_and_sends(document: dict[str, Any]) -> None:
    handlers = handlers_by_operation(_document_app())
    for method, path, operation in operations(document):
        where, responses = f"{method.upper()} {path}", operation["responses"]
        command, handler = method != "get", handlers[f"{method.upper()} {path}"]
        expected = {"401", "403", "422", "500", "503"} | ({"400", "413", "415", "404"} if command else set())
        if "{" in path:
            expected.add("404")
        if CODES[handler].get(409):  # a 409 only where some rule of the operation can refuse
            expected.add("409")
        problems = {s for s, r in responses.items() if s[0] in "45"}
        assert problems == expected, where  # no undocumented status, and none the operation never answers
        for status in problems:
            content = responses[status]["content"]["application/problem+json"]
            assert content["schema"] == PROBLEM_REF, where
            if int(status) in (403, 404, 409, 422):  # each code it can answer, with an example
                assert set(content["examples"]) == set(operation_codes(handler, int(status))), where
        assert "Retry-After" in responses["503"]["headers"], where
        read = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert read >= ({h.name for h in COMMAND_HEADERS} if command else set()), where
        if "201" in responses:
            assert "Location" in responses["201"]["headers"], where
        if not command and path.endswith("}"):
            assert "ETag" in responses["200"]["headers"] and "304" in responses, where
            assert "If-None-Match" in read, where
    untyped = [
        path
        for method, path, operation in operations(document)
        if method == "get" and operation["responses"]["200"]["content"].get("application/json", {}).get("schema") == {}
    ]
    assert untyped == [], untyped  # each register read documents its rows
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])


def test_each_model_has_one_name_and_a_root_model_is_documented_as_its_root(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles))
    assert not [name for name in schemas if "_schemas_" in name]
    assert "oneOf" in schemas["RegisterCustomer"] and "properties" not in schemas["RegisterCustomer"]
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs <= set(schemas), refs - set(schemas)


def test_the_docs_pages_load_their_assets_from_the_app_and_name_no_other_host() -> None:
    with TestClient(app=_document_app()) as client:
        for page in ("/schema", "/schema/swagger", "/schema/redoc"):
            response = client.get(page)
            assert response.status_code == 200, page
            head = response.text.split("<body", 1)[0]
            assert "//" not in head.replace("<!DOCTYPE html>", ""), page  # no http://, https:// or //host
            assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", head)
            assert assets, page
            for asset in assets:
                assert asset.startswith("/static/docs/"), asset
                loaded = client.get(asset)  # no token: the docs load before anyone authorizes
                assert loaded.status_code == 200 and len(loaded.content) > 500, asset
    bundle = (STATIC_DIR / "docs" / "redoc" / "redoc.standalone.js").read_text(encoding="utf-8")
    assert "cdn.redoc.ly" not in bundle  # its sidebar logo: ours, from the app
    with TestClient(app=_document_app()) as client:
        assert client.get("/static/docs/redoc/logo-mini.svg").status_code == 200


# -- a generated client -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """`openapi-python-client generate` over the served document, without a warning; its package."""
    where = tmp_path_factory.mktemp("client")
    (where / "openapi.json").write_text(json.dumps(document))
    (where / "config.yml").write_text(GENERATOR_CONFIG)
    binaries = str(Path(sys.executable).parent)  # the generator formats its output with this venv's ruff
    result = subprocess.run(
        [f"{binaries}/openapi-python-client", *GENERATE],
        cwd=where,
        env={**os.environ, "PATH": f"{binaries}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower() and "error" not in output.lower(), output
    sys.path.insert(0, str(where))
    package = importlib.import_module("client")
    generated_operations = [p for p in (where / "client" / "api").glob("*/*.py") if p.name != "__init__.py"]
    assert len(generated_operations) == len(operations(document))  # every operation became a function
    return package


def _api(package: ModuleType, tag: str, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.api.{tag}.{name}")


def _model(package: ModuleType, name: str) -> Any:
    return getattr(importlib.import_module(f"{package.__name__}.models"), name)


def test_a_generated_client_registers_applies_pays_reports_a_claim_and_reads_the_registers(
    generated: ModuleType, desk: Desk
) -> None:
    client = generated.AuthenticatedClient(base_url=str(desk.client.base_url), token=token("admin", "gen"))
    desk.client.headers["Authorization"] = f"Bearer {token('admin', 'gen')}"
    client.set_httpx_client(desk.client)  # the generated client over the app, in process

    def command(tag: str, name: str, model: str, body: dict[str, Any], status: int, **path: Any) -> Any:
        response = _api(generated, tag, name).sync_detailed(
            **path, client=client, body=_model(generated, model).from_dict(body), x_correlation_id="generated-client"
        )
        assert response.status_code == status, response.content
        return response.parsed

    def read(tag: str, name: str, **params: Any) -> dict[str, Any]:
        response = _api(generated, tag, name).sync_detailed(client=client, after=position, **params)
        assert response.status_code == 200, response.content
        parsed = response.parsed
        return cast(dict[str, Any], parsed if isinstance(parsed, dict) else parsed.to_dict())

    registered = command("customers", "register_customer", "IndividualIn", individual_body(7), 201)
    position = registered.position
    holder = str(registered.id)
    application = desk.application(
        holder, "home_property", relationship="owner", term=12, declared_property_value="1000000", sum_insured="800000"
    )
    applied = command("policies", "apply_policy", "ApplicationIn", application, 201)
    position = applied.position
    policy = read("policies", "read_policy", policy_id=applied.id)
    assert policy["status"] == "accepted"

    payment = {"amount": str(policy["installment"]), "paid_on": START.isoformat(), "reference": "bank-1"}
    paid = command(
        "policies", "pay_premium", "PolicyPaymentIn", payment, 200,
        policy_id=applied.id,
    )  # fmt: skip
    position = paid.position
    assert read("policies", "read_policy", policy_id=applied.id)["status"] == "in_force"

    loss, reported = START + timedelta(days=20), START + timedelta(days=21)
    desk.today(reported)
    claim = command("claims", "report_claim", "ClaimIn", report_body(str(applied.id), holder, loss, reported), 201)
    position = claim.position

    policies = read("policies", "list_policies", customer_id=holder)
    assert [row["policy_id"] for row in policies["items"]] == [str(applied.id)]
    claims = read("claims", "list_claims", policy_id=str(applied.id))
    assert [row["claim_id"] for row in claims["items"]] == [str(claim.id)]
    payments = read("policies", "list_premium_payments", policy_id=str(applied.id))
    assert [row["reference"] for row in payments["items"]] == ["bank-1"]
    assert read("customers", "read_customer", customer_id=holder)["id"] == holder
    report = read("reports", "loss_ratio_report", group_by="product")
    assert [row["product"] for row in report["rows"]] == ["home_property"] and "earned_premium" in report["figures"]
