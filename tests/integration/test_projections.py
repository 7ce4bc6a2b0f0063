"""The read side's guarantees (SPEC §1, §8), on SQLite and PostgreSQL.

"As of" answers what the register held at every log position; a rebuild gives the live rows;
a batch that fails half-way leaves no trace and resumes without gaps or doubles; two runners
of one projection never both apply an event; read-your-writes waits; status reports the lag.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, cast
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from application.app import CommandResult, InscribeApplication
from application.commands.customers import register_enterprise, register_individual
from domain.customer.aggregate import CONSENT_PURPOSES, LIFECYCLE_STAGES, SEGMENTS, Customer
from domain.errors import DomainError
from projections.audit_log import audit_log
from projections.customers import SORTABLE, customers
from projections.db import create_read_engine
from projections.queries import Page, one, page_of
from projections.registry import all_projections
from projections.runner import ProjectionsFaulted, ReadSide, ReadSideBehind
from projections.versioned import VersionedWriter
from tests.builders.common import ctx, enterprise, individual
from tests.builders.customers import act

PAST = datetime(2024, 1, 2, 9, 30, tzinfo=UTC)
CENT = Decimal("0.01")
#: The register columns the tests predict independently of the projection.
TRACKED = (
    "version",
    "kind",
    "name",
    "identity_number",
    "segment",
    "lifecycle_stage",
    "contacts",
    "consents",
    "interactions",
    "surveys",
    "satisfaction_average",
    "needs",
    "risk",
)


class Boom(Exception):
    """The fault the tests inject into a running batch."""


# --- arranging histories -------------------------------------------------------------------------


def do(app: InscribeApplication, customer: CommandResult, action: str, **data: Any) -> CommandResult:
    return act(app, ctx(), UUID(customer.id), action, **data)


def a_varied_history(app: InscribeApplication, seed: int = 100) -> list[CommandResult]:
    """Four customers, interleaved, between them every kind of customer event."""
    a = register_individual(app, ctx(), **individual(seed + 1, name="Zhang Wei"))
    b = register_enterprise(app, ctx(), **enterprise(seed + 2))
    results = [a, b]
    results.append(do(app, a, "segment", segment="mass", basis="income band"))
    results.append(do(app, b, "contacts", contacts={"phone": "0591-87654321", "email": "new@example.cn"}))
    c = register_individual(app, ctx(), **individual(seed + 3, name="李娜"))
    results.append(c)
    results.append(do(app, a, "consents", purpose="marketing"))
    results.append(do(app, a, "interactions", kind="marketing", summary="brochure", occurred_at=PAST, staff_id="s1"))
    results.append(do(app, b, "lifecycle-stage", stage="active", reason="first policy"))
    results.append(do(app, c, "satisfaction-surveys", attitude=5, speed=4, quality=4, claims_convenience=3))
    results.append(do(app, a, "profile", changes={"name": "Zhang Wei Jr", "dependants": 3}))
    results.append(do(app, a, "consent-withdrawals", purpose="marketing"))
    d = register_enterprise(app, ctx(), **enterprise(seed + 4, name="Acme 保险经纪"))
    results.append(d)
    results.append(do(app, b, "segment", segment="sme", basis="headcount"))
    results.append(
        do(app, c, "needs-analyses", concerns=["illness"], potential_needs=["critical illness"], budget="5000")
    )
    results.append(
        do(
            app,
            d,
            "risk-assessments",
            risks=[{"description": "fire", "category": "property", "likelihood": 2, "severity": 5}],
        )
    )
    results.append(do(app, b, "lifecycle-stage", stage="dormant", reason="lapsed"))
    results.append(do(app, c, "satisfaction-surveys", attitude=2, speed=2, quality=3, claims_convenience=3))
    results.append(do(app, d, "interactions", kind="visit", summary="site visit", occurred_at=PAST, staff_id="s2"))
    return results


def snapshot(read_side: ReadSide) -> dict[str, list[dict[str, Any]]]:
    """Every row of every projection table, in primary-key order."""
    with read_side.engine.connect() as conn:
        return {
            table.name: [dict(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()]
            for projection in read_side.projections.values()
            for table in projection.tables
        }


def customer_events(app: InscribeApplication) -> Counter[str]:
    """How many customer events each customer has in the event store."""
    counts: Counter[str] = Counter()
    for n in app.recorder.select_notifications(start=1, limit=100_000):
        if n.topic.startswith("inscribe.customer."):
            counts[str(n.originator_id)] += 1
    return counts


def versions_per_customer(read_side: ReadSide) -> Counter[str]:
    return Counter(row["customer_id"] for row in snapshot(read_side)["customers"])


def rebuilt(read_side: ReadSide) -> dict[str, list[dict[str, Any]]]:
    read_side.rebuild()
    return snapshot(read_side)


# --- as of every position -------------------------------------------------------------------------


def tracked(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else {k: row[k] for k in (*TRACKED, "valid_from", "valid_to")}


def registered_row(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": 1,
        "kind": kind,
        "name": fields["name"],
        "identity_number": fields["id_number" if kind == "individual" else "credit_code"],
        "segment": None,
        "lifecycle_stage": "prospect",
        "contacts": fields["contacts"],
        "consents": [],
        "interactions": 0,
        "surveys": 0,
        "satisfaction_average": None,
        "needs": None,
        "risk": None,
        "_scores": [],
    }


def changed_row(row: dict[str, Any], action: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the register should show after `action`, derived from the command alone."""
    new = {**row, "version": row["version"] + 1}
    if action == "segment":
        new["segment"] = data["segment"]
    elif action == "lifecycle-stage":
        new["lifecycle_stage"] = data["stage"]
    elif action == "contacts":
        new["contacts"] = data["contacts"]
    elif action == "consents":
        new["consents"] = sorted({*row["consents"], data["purpose"]})
    elif action == "consent-withdrawals":
        new["consents"] = sorted(set(row["consents"]) - {data["purpose"]})
    elif action == "interactions":
        new["interactions"] = row["interactions"] + 1
    elif action == "profile":
        new["name"] = data["changes"].get("name", row["name"])
    elif action == "needs-analyses":
        new["needs"] = {
            "concerns": data["concerns"],
            "potential_needs": data["potential_needs"],
            "budget": str(Decimal(data["budget"]).quantize(CENT)),
        }
    elif action == "risk-assessments":
        risks = [{**r, "score": r["likelihood"] * r["severity"]} for r in data["risks"]]
        for r in risks:
            r["priority"] = "high" if r["score"] >= 15 else "medium" if r["score"] >= 8 else "low"
        top = max(risks, key=lambda r: r["score"])
        new["risk"] = {"overall_score": top["score"], "priority": top["priority"], "risks": risks}
    elif action == "satisfaction-surveys":
        scores = [*row["_scores"], Decimal(sum(data.values())) / 4]
        new["_scores"] = scores
        new["surveys"] = len(scores)
        new["satisfaction_average"] = str((sum(scores) / len(scores)).quantize(CENT, ROUND_HALF_UP))
    return new


def survey(*scores: int) -> dict[str, int]:
    return dict(zip(("attitude", "speed", "quality", "claims_convenience"), scores, strict=True))


SCRIPT: list[tuple[str, str, dict[str, Any]]] = [
    ("A", "register-individual", individual(201, name="Zhang Wei")),
    ("B", "register-enterprise", enterprise(202, name="闽江贸易有限公司")),
    ("A", "segment", {"segment": "mass", "basis": "income band"}),
    ("B", "contacts", {"contacts": {"phone": "0591-87654321"}}),
    ("C", "register-individual", individual(203, name="李娜")),
    ("A", "consents", {"purpose": "marketing"}),
    ("A", "interactions", {"kind": "marketing", "summary": "brochure", "occurred_at": PAST, "staff_id": "s1"}),
    ("B", "lifecycle-stage", {"stage": "active", "reason": "first policy"}),
    ("C", "satisfaction-surveys", survey(1, 1, 1, 1)),
    ("C", "satisfaction-surveys", survey(1, 1, 1, 2)),
    ("A", "profile", {"changes": {"name": "Zhang Wei Jr"}}),
    # The mean of 1.00, 1.25 and 1.25 is 1.1666…: a running average of rounded values would drift.
    ("C", "satisfaction-surveys", survey(1, 1, 1, 2)),
    ("A", "consent-withdrawals", {"purpose": "marketing"}),
    ("B", "segment", {"segment": "sme", "basis": "headcount"}),
    ("D", "register-enterprise", enterprise(204, name="Acme 保险经纪")),
    ("B", "lifecycle-stage", {"stage": "dormant", "reason": "lapsed"}),
    ("A", "lifecycle-stage", {"stage": "active", "reason": "bought a policy"}),
    ("D", "segment", {"segment": "corporate", "basis": "revenue"}),
    ("C", "lifecycle-stage", {"stage": "churned", "reason": "moved abroad"}),
    ("A", "needs-analyses", {"concerns": ["illness"], "potential_needs": ["critical illness"], "budget": "5000"}),
    (
        "D",
        "risk-assessments",
        {
            "risks": [
                {"description": "fire", "category": "property", "likelihood": 3, "severity": 5},
                {"description": "theft", "category": "property", "likelihood": 2, "severity": 2},
            ]
        },
    ),
    ("A", "contacts", {"contacts": {"email": "zw@example.cn", "address": "福州市鼓楼区"}}),
]


def run_script(read_side: ReadSide) -> tuple[dict[str, list[tuple[int, dict[str, Any]]]], int]:
    """Send SCRIPT, projecting after each command as the live runner does.

    Answer each customer's expected versions (position, row) and the head.
    """
    app = cast(InscribeApplication, read_side.app)  # the log the read side follows is the application's
    ids: dict[str, str] = {}
    history: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    head = 0
    for label, action, data in SCRIPT:
        if action == "register-individual":
            result = register_individual(app, ctx(), **data)
            row = registered_row("individual", data)
        elif action == "register-enterprise":
            result = register_enterprise(app, ctx(), **data)
            row = registered_row("enterprise", data)
        else:
            result = act(app, ctx(), UUID(ids[label]), action, **data)
            row = changed_row(history[result.id][-1][1], action, data)
        ids[label] = result.id
        # The event store (not the read side) says at which position the customer's event landed.
        new = app.recorder.select_notifications(start=head + 1, limit=100)
        mine = [n.id for n in new if str(n.originator_id) == result.id]
        assert len(mine) == 1
        history.setdefault(result.id, []).append((mine[0], row))
        head = new[-1].id
        read_side.catch_up()
    return history, head


def expected_at(history: dict[str, list[tuple[int, dict[str, Any]]]], p: int) -> dict[str, dict[str, Any]]:
    """Each customer's expected row at position p, with the positions it is current for."""
    rows = {}
    for key, versions in history.items():
        for i, (position, row) in enumerate(versions):
            if position <= p:
                following = versions[i + 1][0] if i + 1 < len(versions) else None
                rows[key] = {**{k: row[k] for k in TRACKED}, "valid_from": position, "valid_to": following}
    return rows


def test_as_of_answers_what_the_register_held_at_every_position(services: Any) -> None:
    history, head = run_script(services.read_side)

    with services.read_side.engine.connect() as conn:
        for p in range(head + 1):
            expected = expected_at(history, p)
            for key in history:
                assert tracked(one(conn, customers, key, p)) == expected.get(key), f"{key} at {p}"
            listed = page_of(conn, customers, p, [], Page(1, 100, "name"), SORTABLE, "name", head)
            assert listed.total == len(expected)
            assert listed.position == p
            assert {r["customer_id"]: tracked(r) for r in listed.items} == expected, f"list at {p}"


# --- as of, against replaying the aggregates ----------------------------------------------------------

SEEDS = itertools.count(10_000)
ALL_SEGMENTS = SEGMENTS["individual"] + SEGMENTS["enterprise"]
ACTIONS = st.one_of(
    st.builds(lambda s: ("segment", {"segment": s, "basis": "b"}), st.sampled_from(ALL_SEGMENTS)),
    st.builds(lambda s: ("lifecycle-stage", {"stage": s, "reason": "r"}), st.sampled_from(LIFECYCLE_STAGES)),
    st.builds(lambda p: ("consents", {"purpose": p}), st.sampled_from(CONSENT_PURPOSES)),
    st.builds(lambda p: ("consent-withdrawals", {"purpose": p}), st.sampled_from(CONSENT_PURPOSES)),
    st.builds(lambda e: ("contacts", {"contacts": {"email": e}}), st.sampled_from(["a@x.cn", "b@x.cn"])),
    st.builds(lambda n: ("profile", {"changes": {"name": n}}), st.sampled_from(["王芳", "Wang Fang", "ACME"])),
    st.builds(
        lambda k: ("interactions", {"kind": k, "summary": "s", "occurred_at": PAST, "staff_id": "s"}),
        st.sampled_from(["care_call", "marketing"]),
    ),
    st.builds(lambda s: ("satisfaction-surveys", survey(*s)), st.tuples(*[st.integers(1, 5)] * 4)),
    st.builds(lambda p: ("policy-in-force", {"policy_id": p}), st.sampled_from(["P-1", "P-2"])),
    st.builds(lambda p: ("policy-out-of-force", {"policy_id": p, "reason": "lapsed"}), st.sampled_from(["P-1", "P-2"])),
)
#: Customer methods the policy side calls (no customer command of their own).
POLICY_SIDE = {"policy-in-force": "note_policy_in_force", "policy-out-of-force": "note_policy_out_of_force"}
COMMANDS = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.sampled_from(["individual", "enterprise"])),
        st.tuples(st.just("act"), st.integers(0, 5), ACTIONS),
    ),
    min_size=1,
    max_size=10,
)


ROW_OF = ("version", "kind", "name", "segment", "lifecycle_stage", "contacts", "consents", "interactions", "surveys")


def row_of(customer: Customer) -> dict[str, Any]:
    """The register columns a customer's state implies."""
    return {
        "version": customer.version,
        "kind": customer.kind,
        "name": customer.name,
        "segment": customer.segment,
        "lifecycle_stage": customer.lifecycle_stage,
        "contacts": customer.contacts,
        "consents": sorted(customer.consents),
        "interactions": customer.interactions_count,
        "surveys": customer.surveys_count,
    }


def policy_side(method: str, data: dict[str, Any], customer: Customer) -> None:
    getattr(customer, method)(**data)


def send(app: InscribeApplication, commands: list[Any]) -> list[str]:
    """Send the commands; refused ones record nothing. Answer the ids of the customers registered."""
    registered: list[str] = []
    for command in commands:
        try:
            if command[0] == "register":
                seed = next(SEEDS)
                if command[1] == "individual":
                    registered.append(register_individual(app, ctx(), **individual(seed)).id)
                else:
                    registered.append(register_enterprise(app, ctx(), **enterprise(seed)).id)
            elif registered:
                _, index, (action, data) = command
                customer_id = UUID(registered[index % len(registered)])
                if action in POLICY_SIDE:
                    app.execute(ctx(), Customer, customer_id, partial(policy_side, POLICY_SIDE[action], data))
                else:
                    act(app, ctx(), customer_id, action, **data)
        except DomainError:
            pass
    return registered


# Bounded: the active profile's number of examples, at most 40 (each one replays every position).
PROFILE_EXAMPLES = settings.default.max_examples if settings.default is not None else 40


@settings(
    max_examples=min(PROFILE_EXAMPLES, 40),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(commands=COMMANDS, batch_size=st.sampled_from([1, 3, 500]))
def test_as_of_at_every_position_equals_replaying_the_aggregates_up_to_it(
    services: Any, commands: list[Any], batch_size: int
) -> None:
    app, read_side = services.app, services.read_side
    read_side.batch_size = batch_size
    start = read_side.head()
    ids = send(app, commands)

    read_side.catch_up()

    head = read_side.head()
    with read_side.engine.connect() as conn:
        log = conn.execute(
            select(audit_log.c.position, audit_log.c.aggregate_id, audit_log.c.aggregate_version)
            .where(audit_log.c.aggregate_id.in_(ids))
            .order_by(audit_log.c.position)
        ).all()
        replayed = {(a, v): row_of(app.repository.get(UUID(a), version=v)) for _, a, v in log}
        versions: dict[str, int] = {}
        for p in range(start, head + 1):
            changed = {a: v for pos, a, v in log if pos == p}
            versions.update(changed)
            expected = {key: replayed[key, version] for key, version in versions.items()}
            listed = page_of(
                conn, customers, p, [customers.c.customer_id.in_(ids)], Page(1, 100), SORTABLE, "name", head
            )
            assert {r["customer_id"]: {k: r[k] for k in ROW_OF} for r in listed.items} == expected, f"at {p}"
            for key in changed:
                row = one(conn, customers, key, p)
                assert row is not None and {k: row[k] for k in ROW_OF} == expected[key]
                assert one(conn, customers, key, p - 1) != row


# --- rebuild ----------------------------------------------------------------------------------------------


def test_a_rebuild_gives_exactly_the_rows_the_live_projections_wrote(services: Any) -> None:
    a_varied_history(services.app)
    services.read_side.catch_up()
    live = snapshot(services.read_side)

    processed = services.read_side.rebuild()

    assert snapshot(services.read_side) == live
    assert processed == len(services.read_side.projections) * services.read_side.head()
    assert all(s.lag == 0 for s in services.read_side.status())


def planner_row_count(read_side: ReadSide, table: str) -> int | None:
    """The rows the database's planner believes `table` holds (None: never counted)."""
    with read_side.engine.connect() as conn:
        if read_side.engine.dialect.name == "postgresql":
            tuples = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}).scalar()
            return None if tuples is None or tuples < 0 else int(tuples)
        if not conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            return None
        stat = conn.execute(
            text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t AND idx IS NULL OR tbl = :t ORDER BY idx LIMIT 1"),
            {"t": table},
        ).scalar()
        return None if stat is None else int(str(stat).split()[0])


def test_a_rebuild_leaves_the_planner_counting_the_rebuilt_rows(services: Any) -> None:
    a_varied_history(services.app)
    services.read_side.catch_up()
    with services.read_side.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(customers)).scalar()

    services.read_side.rebuild()

    assert planner_row_count(services.read_side, "customers") == rows > 0
    if services.read_side.engine.dialect.name == "postgresql":  # vacuumed: counts read the index alone
        with services.read_side.engine.connect() as conn:
            pages, visible = conn.execute(
                text("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'customers'")
            ).one()
        assert pages == visible > 0


def test_rebuilding_one_named_projection_replays_only_that_one(services: Any) -> None:
    a_varied_history(services.app)
    services.read_side.catch_up()
    live = snapshot(services.read_side)

    processed = services.read_side.rebuild(["customers"])

    assert processed == services.read_side.head()
    assert snapshot(services.read_side) == live


# --- a batch that fails half-way --------------------------------------------------------------------------


def fail_in_apply(monkeypatch: pytest.MonkeyPatch, read_side: ReadSide, when: Callable[[int], bool]) -> None:
    """Make the customers projection raise Boom on the event at the first position `when` accepts."""
    projection = read_side.projections["customers"]
    original = projection.apply

    def apply(event: Any, position: int, batch: Any) -> None:
        if when(position):
            raise Boom(position)
        original(event, position, batch)

    monkeypatch.setattr(projection, "apply", apply)


def fail_after_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every versioned write raise right after its rows were written (inside the transaction)."""
    original = VersionedWriter.flush

    def flush(self: VersionedWriter) -> None:
        original(self)
        raise Boom("after flush")

    monkeypatch.setattr(VersionedWriter, "flush", flush)


@pytest.mark.parametrize("fault", ["apply", "flush"])
def test_a_batch_that_fails_half_way_leaves_no_trace_and_resumes_without_gaps_or_doubles(
    services: Any, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    a_varied_history(services.app)
    read_side = services.read_side
    if fault == "apply":
        fail_in_apply(monkeypatch, read_side, lambda position: position >= 9)
    else:
        fail_after_flush(monkeypatch)

    with pytest.raises(Boom):
        read_side.process_batch("customers")

    assert read_side.position("customers") == 0
    assert snapshot(read_side)["customers"] == []

    monkeypatch.undo()
    read_side.catch_up()

    assert versions_per_customer(read_side) == customer_events(services.app)
    resumed = snapshot(read_side)
    assert rebuilt(read_side) == resumed


def test_one_projection_failing_among_those_applied_together_holds_back_only_itself(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_varied_history(services.app)
    read_side = services.read_side
    head = read_side.head()
    fail_in_apply(monkeypatch, read_side, lambda position: position >= 9)
    full = rebuilt(read_side)["customers"]
    with read_side.writer.begin() as conn:  # every projection at 0 again
        for name in read_side.projections:
            read_side.trackers[name].reset_in(conn)
        for projection in read_side.projections.values():
            for table in reversed(projection.tables):
                conn.execute(table.delete())

    read_side.process_round()  # one group, one transaction, which fails: never raised out of the round

    positions = read_side.positions()
    assert positions.pop("customers") == 8  # every event before the failing one, exactly once
    assert set(positions.values()) == {head}  # the others went on, each in its own transaction
    assert snapshot(read_side)["customers"] == cut_at(full, 8)
    assert len(snapshot(read_side)["audit_log"]) == head
    faulted = {s.name: s for s in read_side.status() if s.state == "faulted"}
    assert list(faulted) == ["customers"]
    fault = faulted["customers"].fault
    assert fault is not None and fault.failing_position == 9 and "Boom" in fault.error
    with pytest.raises(ProjectionsFaulted, match="customers is faulted at position 9"):
        read_side.catch_up()  # the others are at the head; customers waits for its retry
    read_side.process_round()  # within the retry delay: not tried again
    assert read_side.faults()["customers"].attempts == 1

    monkeypatch.undo()
    read_side.retry_now()
    read_side.catch_up()

    assert read_side.faults() == {}
    assert all(s.state == "up-to-date" for s in read_side.status())

    assert versions_per_customer(read_side) == customer_events(services.app)
    resumed = snapshot(read_side)
    assert rebuilt(read_side) == resumed


def cut_at(rows: list[dict[str, Any]], position: int) -> list[dict[str, Any]]:
    """The versioned rows as they stood once the log up to `position` had been applied."""
    return [
        {**r, "valid_to": r["valid_to"] if r["valid_to"] is not None and r["valid_to"] <= position else None}
        for r in rows
        if r["valid_from"] <= position
    ]


def test_with_small_batches_the_batches_before_the_failure_stay_and_the_rest_follow_exactly_once(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_varied_history(services.app)
    read_side = services.read_side
    read_side.batch_size = 3
    full = rebuilt(read_side)["customers"]
    with read_side.writer.begin() as conn:  # start the customers register over (every table it writes)
        for table in read_side.projections["customers"].tables:
            conn.execute(table.delete())
        read_side.trackers["customers"].reset_in(conn)
    shipped = services.app.products.shipped_events()  # (the catalogue's events come first: application.products)
    fail_in_apply(monkeypatch, read_side, lambda position: position == shipped + 14)

    with pytest.raises(ProjectionsFaulted):
        read_side.catch_up(["customers"])

    # the batch of the history's 13th..15th events failed: its 13th alone went through
    assert read_side.position("customers") == shipped + 13
    assert snapshot(read_side)["customers"] == cut_at(full, shipped + 13)
    assert read_side.faults()["customers"].failing_position == shipped + 14

    monkeypatch.undo()
    read_side.retry_now()
    read_side.catch_up()

    assert versions_per_customer(read_side) == customer_events(services.app)
    assert snapshot(read_side)["customers"] == full


def test_the_running_projection_thread_retries_a_failed_batch_and_catches_up(
    running_services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_side = running_services.read_side
    failures: list[int] = []

    def first_time_only(position: int) -> bool:
        if failures:
            return False
        failures.append(position)
        return True

    fail_in_apply(monkeypatch, read_side, first_time_only)

    results = a_varied_history(running_services.app)

    read_side.wait_for(results[-1].position, timeout=10)
    assert failures
    assert versions_per_customer(read_side) == customer_events(running_services.app)


# --- two runners at once ----------------------------------------------------------------------------------


@pytest.mark.parametrize("runners", ["two read sides", "two threads of one read side"])
def test_two_runners_of_the_same_projections_at_once_apply_every_event_exactly_once(
    services: Any, test_settings: Any, runners: str
) -> None:
    a_varied_history(services.app)
    a_varied_history(services.app, seed=300)
    first = services.read_side
    first.batch_size = 2
    second = first
    if runners == "two read sides":
        second = ReadSide(services.app, create_read_engine(test_settings), all_projections(), batch_size=2)
    start = threading.Barrier(2)
    errors: list[Exception] = []

    def run(read_side: ReadSide) -> None:
        start.wait()
        try:
            read_side.catch_up()
        except Exception as e:  # reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(rs,)) for rs in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if second is not first:
        second.engine.dispose()

    assert errors == []
    assert versions_per_customer(first) == customer_events(services.app)
    together = snapshot(first)
    assert len(together["audit_log"]) == first.head()
    assert rebuilt(first) == together


# --- read your writes and status --------------------------------------------------------------------------


def test_with_projections_not_running_wait_for_raises_read_side_behind_until_a_catch_up_reaches_it(
    services: Any,
) -> None:
    read_side = services.read_side
    result = register_individual(services.app, ctx(), **individual(1))

    started = time.monotonic()
    with pytest.raises(ReadSideBehind) as behind:
        read_side.wait_for(result.position, timeout=0.2)
    waited = time.monotonic() - started
    read_side.catch_up()
    read_side.wait_for(result.position, timeout=0.2)

    assert 0.2 <= waited < 2
    assert (behind.value.position, behind.value.reached) == (result.position, 0)
    with read_side.engine.connect() as conn:
        assert one(conn, customers, result.id, None) is not None


def test_with_projections_running_a_commands_position_becomes_visible_within_the_wait(running_services: Any) -> None:
    app, read_side = running_services.app, running_services.read_side
    registered = register_individual(app, ctx(), **individual(1))
    changed = do(app, registered, "segment", segment="senior", basis="age")

    read_side.wait_for(changed.position, timeout=5)

    with read_side.engine.connect() as conn:
        row = one(conn, customers, changed.id, None)
    assert row is not None and (row["segment"], row["version"]) == ("senior", 2)


def test_status_reports_position_head_and_lag_before_and_after_catching_up(services: Any) -> None:
    read_side = services.read_side
    results = a_varied_history(services.app)
    head = results[-1].position
    before = {s.name: s for s in read_side.status()}

    read_side.process_batch("customers", limit=5)
    partly = {s.name: s for s in read_side.status()}
    read_side.catch_up()
    after = {s.name: s for s in read_side.status()}
    later = do(services.app, results[0], "segment", segment="senior", basis="age")
    behind = {s.name: s for s in read_side.status()}

    assert set(before) == set(read_side.projections)
    assert all((s.position, s.head, s.lag) == (0, head, head) for s in before.values())
    assert (partly["customers"].position, partly["customers"].lag) == (5, head - 5)
    assert (partly["audit_log"].position, partly["audit_log"].lag) == (0, head)
    assert all((s.position, s.head, s.lag) == (head, head, 0) for s in after.values())
    assert all((s.position, s.head, s.lag) == (head, later.position, later.position - head) for s in behind.values())


# --- batch sizes ------------------------------------------------------------------------------------------


def test_every_batch_size_gives_the_rows_of_one_event_at_a_time(services: Any) -> None:
    a_varied_history(services.app)
    read_side = services.read_side
    read_side.batch_size = 1
    read_side.catch_up()
    one_at_a_time = snapshot(read_side)

    in_batches = {}
    for size in (2, 3, 7, 500):
        read_side.batch_size = size
        in_batches[size] = rebuilt(read_side)

    assert all(rows == one_at_a_time for rows in in_batches.values())
