"""Every command-line process, each in a fresh interpreter, against a log that holds the demo book's
events and a recorded unmasked read (SPEC §8: every process decodes every event ever stored; §11):
`inscribe projections rebuild`, `run`, `status`, `tick`, `audit verify` and `audit export`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

from sqlalchemy import select

from application.commands.privacy import record_disclosure
from application.infrastructure.settings import Settings
from domain.identifiers import china_today
from interface.bootstrap import Services
from interface.demo_cli import run_demo
from projections.customers import customers
from tests.builders.campaigns import carry_a_campaign_through, reachable
from tests.builders.common import ctx
from tests.builders.environment import settings_env
from tests.builders.improvement import carry_a_plan_through
from tests.builders.office import Office
from tests.builders.registers import every_row
from tests.builders.reinsurance import carry_reinsurance_through, place_a_risk_facultatively

ROOT = Path(__file__).resolve().parents[1]
INSCRIBE = str(Path(sys.executable).parent / "inscribe")
BOOK = {"customers": 12, "years": 1, "seed": 3, "activity": 8.0}


def inscribe(settings: Settings, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [INSCRIBE, *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **settings_env(settings)},
    )


def test_every_command_line_process_runs_in_a_fresh_interpreter_over_every_kind_of_event(
    services: Services, test_settings: Settings, tmp_path: Path
) -> None:
    run_demo(services, **BOOK)
    services.read_side.catch_up()
    with services.read_side.engine.connect() as conn:
        first_customer = conn.execute(
            select(customers.c.customer_id).order_by(customers.c.registered_at, customers.c.customer_id).limit(1)
        ).scalar_one()
    record_disclosure(services.app, ctx(reason="audit sample"), [str(first_customer)], "customer")
    carry_a_plan_through(services, UUID(str(first_customer)))  # 8.3.2: every event of an improvement plan
    office = Office(services)  # 2.1 (5): every event of a campaign, with two customers of its own
    interested, other = (reachable(services, office.person(seed)) for seed in (9001, 9002))
    today = china_today()
    carry_a_campaign_through(services, interested, other, office.apply(interested, on=today).id, today)
    carry_reinsurance_through(services, seed=9003)  # 6.1.1 (6): every event of a treaty, a policy ceded, recovered
    place_a_risk_facultatively(services, seed=9004)  # … and a risk beyond every treaty's capacity placed
    services.read_side.catch_up()
    head = services.read_side.head()
    live = every_row(services.read_side)

    rebuilt = inscribe(test_settings, "projections", "rebuild", "--workers", "2")  # families side by side
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert every_row(services.read_side) == live
    status = inscribe(test_settings, "projections", "status")
    assert status.returncode == 0 and "faulted" not in status.stdout, status.stdout
    ticked = inscribe(test_settings, "tick")
    assert ticked.returncode == 0, ticked.stderr[-2000:]
    verified = inscribe(test_settings, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr[-2000:]
    package = tmp_path / "audit.zip"
    exported = inscribe(
        test_settings, "audit", "export", "--from-position", "1", "--to-position", str(head), "-o", str(package)
    )
    assert exported.returncode == 0 and package.stat().st_size > 0, exported.stderr[-2000:]

    with services.read_side.writer.begin() as conn:  # the worker starts the audit log from nothing …
        for name in ("audit_log", "claims"):
            services.read_side.trackers[name].reset_in(conn)
        conn.execute(services.read_side.projections["audit_log"].tables[0].delete())
    worker = subprocess.Popen(  # … and runs only it: the claims register is another worker's
        [INSCRIBE, "projections", "run", "--no-tick", "--only", "audit_log"],
        cwd=ROOT,
        text=True,
        stderr=subprocess.PIPE,
        env={**os.environ, **settings_env(test_settings)},
    )
    try:
        deadline = time.monotonic() + 120
        while services.read_side.position("audit_log") < services.read_side.head():
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker did not catch up"
            time.sleep(0.05)
        time.sleep(0.5)  # a round that would have taken the claims register too has long run
        assert services.read_side.position("claims") == 0
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    by_worker = every_row(services.read_side)["audit_log"]
    services.read_side.rebuild(["audit_log"])
    assert every_row(services.read_side)["audit_log"] == by_worker
    assert len(by_worker) == services.read_side.head() >= head  # with whatever tick recorded
    assert services.read_side.faults() == {}


def test_a_worker_asked_to_run_an_unknown_projection_names_it_and_does_not_start(test_settings: Settings) -> None:
    ran = inscribe(test_settings, "projections", "run", "--no-tick", "--only", "audit_log,polices")
    assert ran.returncode == 2
    assert "--only" in ran.stderr and "'polices'" in ran.stderr and "policies" in ran.stderr
