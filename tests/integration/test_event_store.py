"""The event store as the product uses it (SPEC §1, §2, §10), on SQLite and on PostgreSQL.

Audit metadata on every event, one total order, refused commands that record nothing,
If-Match and Idempotency-Key semantics, races between commands, and stored names that are a
contract.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from application.app import (
    CommandResult,
    ConcurrentModification,
    IdempotencyKeyReused,
    InscribeApplication,
    NoReadSide,
    ReadSidePorts,
    StaleVersion,
)
from application.commands.customers import DuplicateCustomer, register_enterprise, register_individual
from application.context import CommandContext
from application.infrastructure.settings import Settings
from domain.base import InscribeAggregate
from domain.customer.aggregate import Customer
from domain.customer.rules import individual_identity_key
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.identity.aggregate import IdentityClaim
from domain.product.approval import CATALOGUE_ID
from tests.builders.common import ctx, enterprise, individual, resident_id
from tests.builders.customers import act

SPEC_METADATA = {
    "actor_id", "actor_role", "command_id", "correlation_id", "causation_id",
    "channel", "reason", "recorded_at", "effective_at",
}  # fmt: skip

#: The stored names of the customer's events. Released names never change: a failure here means
#: an event class lost its stable topic; register the old topic or add an upcaster instead.
CUSTOMER_EVENT_TOPICS = {
    "Event": "inscribe.customer.Event",
    "Created": "inscribe.customer.Created",
    "IndividualRegistered": "inscribe.customer.IndividualRegistered.v1",
    "EnterpriseRegistered": "inscribe.customer.EnterpriseRegistered.v1",
    "ContactsChanged": "inscribe.customer.ContactsChanged.v1",
    "ProfileUpdated": "inscribe.customer.ProfileUpdated.v1",
    "SegmentAssigned": "inscribe.customer.SegmentAssigned.v1",
    "LifecycleStageChanged": "inscribe.customer.LifecycleStageChanged.v1",
    "PolicyEnteredForce": "inscribe.customer.PolicyEnteredForce.v1",
    "PolicyLeftForce": "inscribe.customer.PolicyLeftForce.v1",
    "InteractionRecorded": "inscribe.customer.InteractionRecorded.v1",
    "ConsentGiven": "inscribe.customer.ConsentGiven.v1",
    "ConsentWithdrawn": "inscribe.customer.ConsentWithdrawn.v1",
    "NeedsAnalysed": "inscribe.customer.NeedsAnalysed.v1",
    "RisksAssessed": "inscribe.customer.RisksAssessed.v1",
    "SatisfactionSurveyed": "inscribe.customer.SatisfactionSurveyed.v1",
    "PlanProposed": "inscribe.customer.PlanProposed.v1",
    "ProcessingRestricted": "inscribe.customer.ProcessingRestricted.v1",
    "PersonalDataErased": "inscribe.customer.PersonalDataErased.v1",
}
IDENTITY_CLAIM_EVENT_TOPICS = {
    "Event": "inscribe.identity.Event",
    "Created": "inscribe.identity.Created",
    "Claimed": "inscribe.identity.Claimed.v1",
    "Released": "inscribe.identity.Released.v1",
    "Reclaimed": "inscribe.identity.Reclaimed.v1",
}

#: An IndividualRegistered event exactly as release v1 stored it (JSON transcoder, no cipher).
V1_INDIVIDUAL_REGISTERED = (
    '{"timestamp":{"_type_":"datetime_iso","_data_":"2024-03-01T01:30:00+00:00"},'
    '"originator_topic":"inscribe.customer.Customer",'
    '"name":"王芳","id_number":"11010519491231002X",'
    '"birth_date":{"_type_":"date_iso","_data_":"1949-12-31"},"gender":"female",'
    '"occupation":"retired teacher","occupation_class":1,"family_status":"widowed","dependants":0,'
    '"annual_income":{"_type_":"decimal_str","_data_":"36000.00"},"contacts":{"phone":"13800138000"},'
    '"meta":{"actor_id":"alice","actor_role":"agent","command_id":"v1-cmd","correlation_id":"v1-cmd",'
    '"causation_id":"v1-cmd","channel":"api","reason":null,'
    '"recorded_at":"2024-03-01T01:30:00+00:00","effective_at":"2024-03-01T01:30:00+00:00"}}'
).encode()


def head(app: InscribeApplication) -> int:
    """The position of the last event in the log (0 when empty)."""
    return app.recorder.max_notification_id() or 0


def commands_notifications(app: InscribeApplication) -> list[Any]:
    """The log's notifications after the shipped catalogue's (application.products: recorded at the start)."""
    return [n for n in app.recorder.select_notifications(None, 1000) if n.originator_id != CATALOGUE_ID]


def stored_events(app: InscribeApplication) -> list[InscribeAggregate.Event]:
    """Every event in the log but the catalogue's (the shipped files, recorded first), in log order, decoded from
    what is stored."""
    notifications = commands_notifications(app)
    return [cast(InscribeAggregate.Event, app.mapper.to_domain_event(n)) for n in notifications]


def race(*commands: Callable[[], CommandResult]) -> list[CommandResult | Exception]:
    """Run the commands in threads released at the same moment; each one's result or error."""
    barrier = threading.Barrier(len(commands))
    outcomes: list[CommandResult | Exception | None] = [None] * len(commands)

    def run(index: int, command: Callable[[], CommandResult]) -> None:
        barrier.wait(timeout=30)
        try:
            outcomes[index] = command()
        except Exception as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(commands)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(o is not None for o in outcomes), "a racing command did not finish"
    return outcomes  # type: ignore[return-value]


def wins_and_losses(outcomes: list[CommandResult | Exception]) -> tuple[list[CommandResult], list[Exception]]:
    return ([o for o in outcomes if isinstance(o, CommandResult)], [o for o in outcomes if isinstance(o, Exception)])


# --- audit metadata (SPEC §2) ----------------------------------------------------------------


def test_every_event_carries_the_audit_metadata_as_stored_and_reloaded(services: Any) -> None:
    app = services.app
    effective = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)
    registering = ctx(
        "alice",
        "agent",
        channel="batch",
        command_id="cmd-register",
        correlation_id="corr-1",
        causation_id="cause-1",
        reason="walk-in customer",
        effective_at=effective,
    )
    segmenting = ctx("bob", "underwriter", command_id="cmd-segment")
    registered = register_individual(app, registering, **individual(1))

    act(app, segmenting, UUID(registered.id), "segment", segment="mass", basis="income band")

    from_log = stored_events(app)
    from_aggregate = [cast(InscribeAggregate.Event, e) for e in app.events.get(UUID(registered.id))]
    assert len(from_log) == 3
    assert all(set(event.meta) == SPEC_METADATA for event in from_log)
    for event in from_log[:2]:  # the customer and its identity claim
        assert event.meta == {
            "actor_id": "alice", "actor_role": "agent", "command_id": "cmd-register",
            "correlation_id": "corr-1", "causation_id": "cause-1", "channel": "batch",
            "reason": "walk-in customer", "recorded_at": event.timestamp.isoformat(),
            "effective_at": effective.isoformat(),
        }  # fmt: skip
    segment_event = from_log[2]
    assert segment_event.meta == {
        "actor_id": "bob", "actor_role": "underwriter", "command_id": "cmd-segment",
        "correlation_id": "cmd-segment", "causation_id": "cmd-segment", "channel": "api",
        "reason": None, "recorded_at": segment_event.timestamp.isoformat(),
        "effective_at": segment_event.timestamp.isoformat(),
    }  # fmt: skip
    assert datetime.fromisoformat(segment_event.meta["recorded_at"]).utcoffset() == timedelta(0)
    assert [event.meta for event in from_aggregate] == [from_log[0].meta, from_log[2].meta]


@pytest.mark.parametrize("actor_id, actor_role", [("", "agent"), ("alice", ""), (None, "agent"), ("alice", None)])
def test_a_command_without_an_actor_cannot_be_built(actor_id: Any, actor_role: Any) -> None:
    with pytest.raises(ValueError, match="actor"):
        CommandContext(actor_id=actor_id, actor_role=actor_role)


# --- one total order (SPEC §1) ----------------------------------------------------------------


def test_events_of_several_aggregates_get_strictly_increasing_positions_and_a_result_names_its_last(
    services: Any,
) -> None:
    app = services.app
    first = register_individual(app, ctx(command_id="c1"), **individual(1))
    second = register_enterprise(app, ctx(command_id="c2"), **enterprise(2))
    third = act(app, ctx(command_id="c3"), UUID(first.id), "consents", purpose="marketing")

    notifications = commands_notifications(app)
    shipped = app.products.shipped_events()

    ids = [n.id for n in notifications]
    assert ids == sorted(set(ids)) == [shipped + i for i in (1, 2, 3, 4, 5)]
    assert len({n.originator_id for n in notifications}) == 4  # two customers, two identity claims
    events = stored_events(app)
    last_of = {
        cmd: max(n.id for n, e in zip(notifications, events) if e.meta["command_id"] == cmd)
        for cmd in ("c1", "c2", "c3")
    }
    assert (first.position, second.position, third.position) == (last_of["c1"], last_of["c2"], last_of["c3"])
    assert third.position == head(app)


# --- refused commands record nothing (SPEC §10) -----------------------------------------------


def _wrong_check_digit(app: InscribeApplication, customer_id: UUID, context: CommandContext) -> None:
    number = resident_id(5)
    register_individual(app, context, **individual(5, id_number=number[:-1] + ("0" if number[-1] != "0" else "1")))


def _enterprise_segment_for_an_individual(app: InscribeApplication, customer_id: UUID, context: CommandContext) -> None:
    act(app, context, customer_id, "segment", segment="sme", basis="turnover")


def _lifecycle_stage_not_reachable(app: InscribeApplication, customer_id: UUID, context: CommandContext) -> None:
    act(app, context, customer_id, "lifecycle-stage", stage="dormant", reason="no contact")


def _same_id_number_again(app: InscribeApplication, customer_id: UUID, context: CommandContext) -> None:
    register_individual(app, context, **individual(1, name="李雷"))


@pytest.mark.parametrize(
    "refused_command, error",
    [
        (_wrong_check_digit, InvalidValue),
        (_enterprise_segment_for_an_individual, InvalidValue),
        (_lifecycle_stage_not_reachable, InvalidTransition),
        (_same_id_number_again, DuplicateCustomer),
    ],
    ids=["bad-check-digit", "invalid-segment", "invalid-transition", "duplicate-id-number"],
)
def test_a_refused_command_records_no_event_and_no_command(
    services: Any, refused_command: Callable[..., None], error: type[DomainError]
) -> None:
    app = services.app
    customer_id = UUID(register_individual(app, ctx(), **individual(1)).id)
    before = head(app)
    refused = ctx(command_id="refused-1")

    with pytest.raises(error):
        refused_command(app, customer_id, refused)

    assert head(app) == before
    assert app.recorder.select_command("refused-1") is None
    assert app.load(Customer, customer_id).version == 1


def test_a_stale_expected_version_raises_stale_version_and_records_nothing(services: Any) -> None:
    app = services.app
    customer_id = UUID(register_individual(app, ctx(), **individual(1)).id)
    act(app, ctx(expected_version=1), customer_id, "consents", purpose="marketing")
    before = head(app)

    with pytest.raises(StaleVersion) as refused:
        act(app, ctx(command_id="stale-1", expected_version=1), customer_id, "segment", segment="mass", basis="b")

    assert refused.value.details == {"current_version": 2}
    assert head(app) == before
    assert app.recorder.select_command("stale-1") is None
    assert app.load(Customer, customer_id).segment is None


# --- idempotency (SPEC §10) -------------------------------------------------------------------


def test_a_retried_command_id_returns_the_first_answer_and_records_nothing_new(services: Any) -> None:
    app = services.app
    registering = ctx(command_id="retry-register", fingerprint="POST /customers #1")
    consenting = ctx(command_id="retry-consent", fingerprint="POST /customers/x/consents #1")
    registered = register_individual(app, registering, **individual(1))
    consented = act(app, consenting, UUID(registered.id), "consents", purpose="marketing")
    before = head(app)

    registered_again = register_individual(app, registering, **individual(1))
    consented_again = act(app, consenting, UUID(registered.id), "consents", purpose="marketing")

    assert registered_again == replace(registered, replayed=True)
    assert consented_again == replace(consented, replayed=True)
    assert head(app) == before


def test_the_same_command_id_with_another_request_raises_and_records_nothing(services: Any) -> None:
    app = services.app
    register_individual(app, ctx(command_id="key-1", fingerprint="request-A"), **individual(1))
    before = head(app)

    with pytest.raises(IdempotencyKeyReused):
        register_individual(app, ctx(command_id="key-1", fingerprint="request-B"), **individual(2))

    assert head(app) == before
    assert app.recorder.select_command("key-1").fingerprint == "request-A"
    assert not app.exists(
        IdentityClaim.id_for(individual_identity_key(individual(2)["id_number"]), app.identity_secret)
    )


# --- races (two threads released by one barrier) -----------------------------------------------


def test_two_conflicting_commands_at_once_record_exactly_one_event(services: Any) -> None:
    app = services.app
    customer_id = UUID(register_individual(app, ctx(), **individual(1)).id)
    before = head(app)

    outcomes = race(
        lambda: act(app, ctx(expected_version=1), customer_id, "segment", segment="mass", basis="income"),
        lambda: act(app, ctx(expected_version=1), customer_id, "lifecycle-stage", stage="active", reason="sold"),
    )

    wins, losses = wins_and_losses(outcomes)
    assert len(wins) == 1 and len(losses) == 1
    assert isinstance(losses[0], (StaleVersion, ConcurrentModification)), repr(losses[0])
    assert (wins[0].version, wins[0].position) == (2, before + 1)
    assert head(app) == before + 1
    assert len(list(app.events.get(customer_id))) == 2


def test_two_registrations_of_one_id_number_at_once_make_exactly_one_customer(services: Any) -> None:
    app = services.app
    before = head(app)

    outcomes = race(
        lambda: register_individual(app, ctx(), **individual(1, name="张伟")),
        lambda: register_individual(app, ctx(), **individual(1, name="张薇")),
    )

    wins, losses = wins_and_losses(outcomes)
    assert len(wins) == 1 and len(losses) == 1
    assert isinstance(losses[0], DuplicateCustomer), repr(losses[0])
    assert losses[0].details["existing_customer_id"] == wins[0].id
    registrations = [e for e in stored_events(app) if isinstance(e, Customer.IndividualRegistered)]
    assert [str(e.originator_id) for e in registrations] == [wins[0].id]
    claim = app.load(
        IdentityClaim, IdentityClaim.id_for(individual_identity_key(individual(1)["id_number"]), app.identity_secret)
    )
    assert str(claim.customer_id) == wins[0].id
    assert head(app) == before + 2


@pytest.mark.parametrize("command", ["action", "registration"])
def test_two_retries_of_one_command_id_at_once_record_one_set_of_events_and_get_one_answer(
    services: Any, command: str
) -> None:
    app = services.app
    customer_id = UUID(register_individual(app, ctx(), **individual(1)).id)
    retried = ctx(command_id="retry-race", fingerprint="POST #1")
    send = {
        "action": lambda: act(
            app, retried, customer_id, "needs-analyses", concerns=["illness"], potential_needs=[], budget="3000"
        ),
        "registration": lambda: register_individual(app, retried, **individual(2)),
    }[command]
    before = head(app)

    outcomes = race(send, send)

    wins, losses = wins_and_losses(outcomes)
    assert losses == []
    assert len({(r.id, r.version, r.position) for r in wins}) == 1
    assert sorted(r.replayed for r in wins) == [False, True]
    assert head(app) == wins[0].position == before + (1 if command == "action" else 2)
    assert app.recorder.select_command("retry-race").aggregate_id == wins[0].id


@pytest.mark.parametrize("command", ["registration", "action-with-if-match"])
def test_a_retry_overtaken_by_its_first_copy_still_gets_the_first_answer(
    services: Any, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    app: InscribeApplication = services.app
    customer_id = UUID(register_individual(app, ctx(), **individual(1)).id)
    retried = ctx(command_id="overtaken", fingerprint="POST #1", expected_version=1)
    send: Callable[[], CommandResult] = {
        "registration": lambda: register_individual(app, retried, **individual(2)),
        "action-with-if-match": lambda: act(app, retried, customer_id, "segment", segment="mass", basis="income"),
    }[command]
    before = head(app)
    first: list[CommandResult] = []
    look_up = app.previous_answer

    def first_copy_commits_right_after(context: CommandContext) -> CommandResult | None:
        answer = look_up(context)  # nothing yet ...
        monkeypatch.setattr(app, "previous_answer", look_up)
        first.append(send())  # ... and now the first copy commits
        return answer

    monkeypatch.setattr(app, "previous_answer", first_copy_commits_right_after)

    late = send()

    assert late == replace(first[0], replayed=True)
    assert head(app) == first[0].position == before + (2 if command == "registration" else 1)


# --- stored names are a contract (STYLE) -------------------------------------------------------


def _event_topics(aggregate: type) -> dict[str, str]:
    return {
        name: get_topic(member)
        for name, member in vars(aggregate).items()
        if isinstance(member, type) and issubclass(member, DomainEvent)
    }


def test_every_event_class_keeps_its_explicit_stable_topic() -> None:
    assert _event_topics(Customer) == CUSTOMER_EVENT_TOPICS
    assert _event_topics(IdentityClaim) == IDENTITY_CLAIM_EVENT_TOPICS
    assert (get_topic(Customer), get_topic(IdentityClaim)) == (
        "inscribe.customer.Customer",
        "inscribe.identity.IdentityClaim",
    )


def test_every_customer_command_stores_its_events_under_the_stable_names(services: Any) -> None:
    app = services.app
    person = UUID(register_individual(app, ctx(), **individual(1)).id)
    register_enterprise(app, ctx(), **enterprise(2))
    occurred = datetime.now(UTC) - timedelta(days=1)
    risk = {"description": "sole earner", "category": "personal", "likelihood": 3, "severity": 5}
    actions: list[tuple[str, dict[str, Any]]] = [
        ("contacts", {"contacts": {"email": "zhang@example.cn"}}),
        ("profile", {"changes": {"occupation": "nurse"}}),
        ("segment", {"segment": "mass", "basis": "income band"}),
        ("lifecycle-stage", {"stage": "active", "reason": "first policy"}),
        ("interactions", {"kind": "care_call", "summary": "birthday call", "occurred_at": occurred, "staff_id": "s1"}),
        ("consents", {"purpose": "marketing"}),
        ("consent-withdrawals", {"purpose": "marketing"}),
        ("needs-analyses", {"concerns": ["illness"], "potential_needs": ["critical illness"], "budget": "3000"}),
        ("risk-assessments", {"risks": [risk]}),
        ("satisfaction-surveys", {"attitude": 5, "speed": 4, "quality": 5, "claims_convenience": 4}),
        (
            "plans",
            {
                "items": [
                    {
                        "product_code": "home_property",
                        "sum_insured": "1000000",
                        "term_months": 12,
                        "premium_mode": "annual",
                    }
                ],
                "rationale": "protect the flat",
            },
        ),
    ]
    for action, data in actions:
        act(app, ctx(), person, action, **data)
    app.execute(ctx(), Customer, person, lambda customer: customer.note_policy_in_force("policy-1"))
    app.execute(ctx(), Customer, person, lambda customer: customer.note_policy_out_of_force("policy-1", "lapsed"))

    topics = [n.topic for n in commands_notifications(app)]

    c = CUSTOMER_EVENT_TOPICS
    assert topics == [
        c["IndividualRegistered"], IDENTITY_CLAIM_EVENT_TOPICS["Claimed"],
        c["EnterpriseRegistered"], IDENTITY_CLAIM_EVENT_TOPICS["Claimed"],
        c["ContactsChanged"], c["ProfileUpdated"], c["SegmentAssigned"], c["LifecycleStageChanged"],
        c["InteractionRecorded"], c["ConsentGiven"], c["ConsentWithdrawn"], c["NeedsAnalysed"],
        c["RisksAssessed"], c["SatisfactionSurveyed"], c["PlanProposed"],
        c["PolicyEnteredForce"], c["PolicyLeftForce"], c["LifecycleStageChanged"],
    ]  # fmt: skip
    assert app.load(Customer, person).version == 15


def test_an_event_stored_the_old_way_still_loads(services: Any) -> None:
    app = services.app
    customer_id = uuid4()
    app.recorder.insert_events(
        [StoredEvent(customer_id, 1, "inscribe.customer.IndividualRegistered.v1", V1_INDIVIDUAL_REGISTERED)]
    )

    customer = app.load(Customer, customer_id)
    changed = act(app, ctx(), customer_id, "segment", segment="senior", basis="age")

    assert (customer.kind, customer.name, customer.id_number) == ("individual", "王芳", "11010519491231002X")
    assert str(customer.annual_income) == "36000.00" and customer.birth_date.isoformat() == "1949-12-31"
    assert cast(InscribeAggregate.Event, next(iter(app.events.get(customer_id)))).meta["command_id"] == "v1-cmd"
    assert changed.version == 2


def test_an_application_built_without_a_read_side_refuses_each_question_to_the_registers(
    test_settings: Settings,
) -> None:
    """The audit commands' application: no register is wired, and asking one fails, naming the process."""
    app = InscribeApplication(test_settings, read_side=ReadSidePorts.none("inscribe audit"))
    try:
        with pytest.raises(NoReadSide, match="inscribe audit runs without a read side"):
            app.contracts_of(str(uuid4()))
        with pytest.raises(NoReadSide):
            app.underwriting_history(str(uuid4()), "life")
        with pytest.raises(NoReadSide):
            app.claims_on_policy(str(uuid4()), date(2025, 1, 1), date(2026, 1, 1))
    finally:
        app.close()
