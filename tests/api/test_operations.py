"""Operations (issue #15): liveness and readiness, Prometheus metrics, JSON-lines logs without personal
data, and tracing off unless switched on. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY, generate_latest

from application.infrastructure.settings import Settings
from interface import tracing
from interface.app import create_app
from interface.bootstrap import Services, bootstrap
from interface.logs import JsonLines, configure_logging
from projections.faults import record_fault
from tests.builders.common import individual_body
from tests.builders.http import PROBLEM, auth

CUSTOMERS = "/api/v1/customers"


@pytest.fixture
def idle_services(test_settings: Settings) -> Iterator[Services]:
    """Services whose projections do not run: the read side stays where the test leaves it."""
    built = bootstrap(test_settings.model_copy(update={"ready_max_lag": 0}), run_projections=False)
    built.read_side.catch_up()  # (the shipped catalogue's events, recorded at the start)
    try:
        yield built
    finally:
        built.close()


def register(client: TestClient[Any], seed: int = 1, **overrides: Any) -> dict[str, Any]:
    response = client.post(CUSTOMERS, json=individual_body(seed, **overrides), headers=auth())
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_live_answers_without_a_token(client: TestClient[Any]) -> None:
    for path in ("/health/live", "/health"):
        response = client.get(path)
        assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_when_the_read_side_has_caught_up(client: TestClient[Any], running_services: Services) -> None:
    answer = register(client)
    running_services.read_side.wait_for(answer["position"])
    response = client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"
    assert response.json()["head"] >= answer["position"]


def test_not_ready_while_a_projection_is_faulted(client: TestClient[Any], running_services: Services) -> None:
    read_side = running_services.read_side
    with read_side.engine.begin() as conn:
        record_fault(conn, read_side.app.name, "customers", 1, "RuntimeError: boom")
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert (body["code"], body["reasons"], body["faulted"]) == ("not-ready", ["projection-faulted"], ["customers"])
    assert "customers faulted" in body["detail"]


def test_not_ready_while_a_projection_lags_beyond_the_threshold(idle_services: Services) -> None:
    with TestClient(app=create_app(idle_services)) as client:
        assert client.get("/health/ready").status_code == 200  # nothing to lag behind yet
        register(client)
        response = client.get("/health/ready")
        assert response.status_code == 503
        body = response.json()
        assert (body["code"], body["reasons"]) == ("not-ready", ["projection-lagging"])
        assert body["lagging"]["customers"] >= 1
        assert "more than 0" in body["detail"]
        idle_services.read_side.catch_up()
        assert client.get("/health/ready").status_code == 200


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text exposition (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        series, _, rest = key.partition("{")
        if series == name and all(f'{k}="{v}"' in rest for k, v in labels.items()) and (rest or not wanted):
            return float(value)
    return 0.0


def test_metrics_name_requests_commands_and_the_read_side(client: TestClient[Any], running_services: Services) -> None:
    before = client.get("/metrics").text
    answer = register(client)
    refused = client.post(CUSTOMERS, json={"kind": "individual"}, headers=auth())
    assert refused.status_code == 422
    running_services.read_side.wait_for(answer["position"])
    response = client.get("/metrics")
    assert response.status_code == 200  # no token: the scraper's
    text = response.text
    command = {"command": "customers.register"}
    assert metric(text, "inscribe_commands_total", outcome="accepted", **command) == 1 + metric(
        before, "inscribe_commands_total", outcome="accepted", **command
    )
    assert metric(text, "inscribe_commands_total", outcome="rejected", **command) >= 1
    route = {"path": "/api/v1/customers", "method": "POST"}
    assert metric(text, "inscribe_requests_total", status_code="201", **route) >= 1
    assert metric(text, "inscribe_request_duration_seconds_count", status_code="201", **route) >= 1
    assert metric(text, "inscribe_projection_position", projection="customers") >= answer["position"]
    assert metric(text, "inscribe_log_head") >= answer["position"]
    assert "inscribe_projection_lag{" in text and 'inscribe_projection_faulted{projection="customers"} 0.0' in text
    assert "inscribe_ticks_total" in text and "inscribe_rebuild_position" in text


def test_log_lines_are_json_with_the_request_ids(client: TestClient[Any]) -> None:
    stream = io.StringIO()
    handler = configure_logging("INFO", stream)
    try:
        headers = auth(sub="carol", **{"X-Correlation-Id": "corr-ops-1", "Idempotency-Key": "cmd-ops-1"})
        assert client.post(CUSTOMERS, json=individual_body(3), headers=headers).status_code == 201
        assert client.post(CUSTOMERS, json={"kind": "individual"}, headers=auth(sub="dave")).status_code == 422
        logging.getLogger("inscribe.test").info("a line outside any request")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    commands = [line for line in lines if line["logger"] == "inscribe.commands"]
    assert [(c["correlation_id"], c["actor_id"], c.get("command_id")) for c in commands][:1] == [
        ("corr-ops-1", "carol", "cmd-ops-1")
    ]
    assert commands[0]["message"] == "command customers.register accepted (201)"
    refused = commands[1]
    assert refused["actor_id"] == "dave" and "command_id" not in refused and len(refused["correlation_id"]) == 36
    assert lines[-1]["message"] == "a line outside any request" and "correlation_id" not in lines[-1]


def test_a_command_sent_without_ids_logs_the_correlation_and_command_ids_its_events_carry(
    client: TestClient[Any],
) -> None:
    stream = io.StringIO()
    handler = configure_logging("INFO", stream)
    try:
        answer = client.post(CUSTOMERS, json=individual_body(4), headers=auth(sub="erin"))
    finally:
        logging.getLogger().removeHandler(handler)
    assert answer.status_code == 201, answer.text
    history = client.get(
        f"{CUSTOMERS}/{answer.json()['id']}/history",
        params={"after": answer.json()["position"]},
        headers=auth("auditor"),
    )
    stored = history.json()["events"][0]["metadata"]

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    command = next(line for line in lines if line["logger"] == "inscribe.commands")
    assert (command["correlation_id"], command["command_id"]) == (stored["correlation_id"], stored["command_id"])


def test_a_readiness_refusal_is_logged_with_its_correlation_id(idle_services: Services) -> None:
    stream = io.StringIO()
    handler = configure_logging("INFO", stream)
    try:
        with TestClient(app=create_app(idle_services)) as client:
            register(client)  # the projections do not run: they now lag beyond 0
            assert client.get("/health/ready", headers={"X-Correlation-Id": "corr-ready-1"}).status_code == 503
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    refusals = [line for line in lines if line["logger"] == "inscribe.health"]
    assert refusals and refusals[0]["level"] == "WARNING" and refusals[0]["correlation_id"] == "corr-ready-1"
    assert refusals[0]["message"].startswith("not ready: ")


def test_no_personal_data_in_any_log_line(client: TestClient[Any], caplog: pytest.LogCaptureFixture) -> None:
    personal = {
        "name": "欧阳丽娟Zyxwvut",
        "id_number": individual_body(77)["id_number"],
        "contacts": {"phone": "13912345678", "email": "ouyang.zyxwvut@example.cn", "address": "福州市鼓楼区五四路88号"},
    }
    values = [personal["name"], personal["id_number"], *personal["contacts"].values()]
    with caplog.at_level(logging.DEBUG):
        answer = register(client, 77, **personal)
        path = f"{CUSTOMERS}/{answer['id']}"
        assert client.get(path, params={"after": answer["position"]}, headers=auth("auditor")).status_code == 200
        client.get(CUSTOMERS, params={"name": personal["name"], "after": answer["position"]}, headers=auth("auditor"))
        client.post(CUSTOMERS, json=individual_body(77, **personal), headers=auth())  # the ID number is taken
    assert caplog.records, "DEBUG logging captured nothing: the test would prove nothing"
    formatter = JsonLines()
    for record in caplog.records:
        line = formatter.format(record)
        for value in values:
            assert value not in line and json.dumps(value)[1:-1] not in line, (value, line)


def test_tracing_is_off_by_default_and_can_be_switched_on(
    test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter = InMemorySpanExporter()
    made: list[str] = []

    def provider(mode: str) -> TracerProvider:
        made.append(mode)
        traced = TracerProvider()
        traced.add_span_processor(SimpleSpanProcessor(exporter))
        return traced

    monkeypatch.setattr(tracing, "tracer_provider", provider)
    assert Settings().tracing == "off"
    for mode in ("off", "console"):
        services = bootstrap(test_settings.model_copy(update={"tracing": mode}), run_projections=False)
        try:
            with TestClient(app=create_app(services)) as client:
                assert client.get("/health/live").status_code == 200
                unknown = "/api/v1/policies/0b5c2f7e-93b8-4d0a-a3a4-6a1f2c9d8e71"
                assert client.get(unknown, headers=auth("auditor")).status_code == 404
        finally:
            services.close()
        if mode == "off":
            assert (made, exporter.get_finished_spans()) == ([], ())
    assert made == ["console"]
    spans = exporter.get_finished_spans()
    assert [span.name for span in spans] == ["GET /health/live", "GET /api/v1/policies/{policy_id}"]
    attributes = dict(spans[0].attributes or {})
    assert attributes["http.route"] == "/health/live"  # the route template, from Litestar's own plugin
    assert attributes.get("http.response.status_code", attributes.get("http.status_code")) == 200


def test_a_tick_is_counted_with_its_outcome(services: Services) -> None:
    from interface.scheduler import tick

    def completed() -> float:
        return metric(generate_latest(REGISTRY).decode(), "inscribe_ticks_total", outcome="completed")

    before = completed()
    services.read_side.catch_up()  # (the shipped catalogue's events, recorded at the start)
    report = tick(services)
    assert (report.examined, report.failures) == (0, ())
    assert completed() == before + 1


def test_a_problem_and_its_log_line_name_the_same_correlation_id(
    client: TestClient[Any], running_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy.exc

    def unreachable() -> Any:
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(running_services.read_side, "status", unreachable)
    stream = io.StringIO()
    handler = configure_logging("INFO", stream)
    try:
        response = client.get("/api/v1/projections", headers=auth("admin", "erin"))  # no X-Correlation-Id
    finally:
        logging.getLogger().removeHandler(handler)
    assert response.status_code == 503, response.text
    given = response.json()["correlation_id"]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    logged = [line for line in lines if line["logger"] == "inscribe.api"]
    assert [(line["correlation_id"], line["actor_id"]) for line in logged] == [(given, "erin")]
    assert given in logged[0]["message"]


def test_a_running_rebuild_shows_its_progress(client: TestClient[Any], running_services: Services) -> None:
    from interface.metrics import ReadSideCollector, rebuild_positions

    read_side = running_services.read_side
    answer = register(client, 5)
    read_side.wait_for(answer["position"])
    assert rebuild_positions(read_side) == {}  # no rebuild
    seen: list[dict[str, int]] = []
    read_side.rebuild(["customers"], progress=lambda _: seen.append(rebuild_positions(read_side)))
    assert seen and seen[-1] == {"customers": answer["position"]}
    assert rebuild_positions(read_side) == {}  # switched in: the shadow is gone
    families = {f.name: f for f in ReadSideCollector(read_side).collect()}
    assert [
        s.value for s in families["inscribe_projection_position"].samples if s.labels["projection"] == "customers"
    ] == [answer["position"]]


def test_the_worker_serves_its_metrics_and_logs_json_lines(services: Services, test_settings: Settings) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    from tests.builders.environment import settings_env

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, **settings_env(test_settings), "INSCRIBE_WORKER_METRICS_PORT": str(port)}
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "inscribe"), "projections", "run", "--no-tick", "--poll", "0.1"],
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**environment, "INSCRIBE_LOG_LEVEL": "INFO"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
                if "inscribe_projection_position{" in text:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the worker served no metrics"
            time.sleep(0.2)
        assert 'inscribe_projection_faulted{projection="customers"} 0.0' in text and "inscribe_ticks_total" in text
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=30)
    lines = [line for line in errors.splitlines() if line.strip()]
    assert lines and all(isinstance(json.loads(line), dict) for line in lines), errors[-2000:]
