"""After-sales service requests (guide 8.1): one test per rule; a refused command records no event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from functools import reduce
from typing import Any, TypeVar

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.utils import resolve_topic

from application.app import DateAsISO
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.service_request.aggregate import KINDS, ServiceRequest

CHINA = timezone(timedelta(hours=8))
REQUESTED_AT = datetime(2024, 5, 6, 9, 0, tzinfo=CHINA)
D0 = date(2024, 5, 6)
E = TypeVar("E", bound=DomainError)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def details(**overrides: Any) -> dict[str, Any]:
    given: dict[str, Any] = dict(
        customer_id="cust-1",
        kind="contract_change",
        description="change beneficiary",
        channel="phone",
        policy_id="pol-1",
        requested_at=REQUESTED_AT,
    )
    return {**given, **overrides}


def opened(**overrides: Any) -> ServiceRequest:
    request = ServiceRequest.open(**details(**overrides))
    request.collect_events()
    return request


def in_progress() -> ServiceRequest:
    request = opened()
    request.assign("staff-1", day(1))
    request.start(day(2))
    request.collect_events()
    return request


def completed() -> ServiceRequest:
    request = in_progress()
    request.complete("beneficiary changed", day(4))
    request.collect_events()
    return request


def cancelled() -> ServiceRequest:
    request = opened()
    request.cancel("customer withdrew", day(1))
    request.collect_events()
    return request


def refused(request: ServiceRequest, command: Callable[[], object], error: type[E]) -> E:
    version = request.version
    with pytest.raises(error) as raised:
        command()
    assert request.pending_events == []
    assert request.version == version
    return raised.value


def last_event(request: ServiceRequest) -> Any:
    return request.collect_events()[-1]


def test_opening_records_the_request_and_its_date_in_china() -> None:
    request = ServiceRequest.open(**details(requested_at=datetime(2024, 5, 5, 17, 0, tzinfo=UTC)))

    [event] = request.collect_events()
    assert isinstance(event, ServiceRequest.Opened)
    assert (event.requested_on, event.kind, event.policy_id) == (day(0), "contract_change", "pol-1")
    assert event.requested_at.tzinfo == UTC
    assert (request.status, request.timeline["requested_on"]) == ("opened", day(0))


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_after_sales_service_is_opened(kind: str) -> None:
    assert opened(kind=kind).kind == kind


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("customer_id", "", "customer_id"),
        ("kind", "complaint", "kind"),
        ("description", " ", "description"),
        ("channel", "pigeon", "channel"),
        ("requested_at", datetime(2024, 5, 6, 9, 0), "requested_at"),
        ("requested_at", datetime(2999, 1, 1, tzinfo=UTC), "requested_at"),
        ("policy_id", None, "policy_id"),
    ],
)
def test_opening_with_an_invalid_field_is_refused_naming_it(field: str, value: Any, named: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        ServiceRequest.open(**details(**{field: value}))

    assert raised.value.field == named


def test_a_consultation_needs_no_policy() -> None:
    assert opened(kind="consultation", policy_id=None).policy_id is None


def test_the_request_goes_through_assignment_work_and_completion_keeping_each_date() -> None:
    request = opened()

    request.assign("staff-1", day(1))
    request.add_update("called the customer", "staff-1", day(1))
    request.start(day(2))
    request.complete("beneficiary changed", day(4))

    names = [type(e).__name__ for e in request.collect_events()]
    assert names == ["Assigned", "UpdateAdded", "WorkStarted", "Completed"]
    assert request.timeline == {
        "requested_on": day(0),
        "assigned_on": day(1),
        "started_on": day(2),
        "completed_on": day(4),
        "cancelled_on": None,
    }
    assert (request.status, request.turnaround_days, request.updates_count) == ("completed", 4, 1)


def test_the_turnaround_is_recorded_on_completion() -> None:
    request = in_progress()

    request.complete("done", day(3))

    assert last_event(request).turnaround_days == 3


def test_the_turnaround_is_unknown_until_completed() -> None:
    assert in_progress().turnaround_days is None


def test_reassigning_to_another_member_of_staff_keeps_the_previous_one() -> None:
    request = opened()
    request.assign("staff-1", day(1))
    request.collect_events()

    error = refused(request, lambda: request.assign("staff-1", day(1)), DomainError)
    request.assign("staff-2", day(2))

    assert error.code == "already-assigned"
    assert last_event(request).previous_id == "staff-1"


def test_work_starts_only_once_assigned() -> None:
    request = opened()

    error = refused(request, lambda: request.start(day(1)), InvalidTransition)

    assert error.code == "invalid-service-request-transition"


def test_completion_follows_the_work() -> None:
    request = opened()
    request.assign("staff-1", day(1))
    request.collect_events()

    error = refused(request, lambda: request.complete("done", day(1)), InvalidTransition)

    assert error.code == "invalid-service-request-transition"


def test_a_request_is_cancelled_with_a_reason() -> None:
    request = in_progress()

    request.cancel("duplicate of another request", day(3))

    event = last_event(request)
    assert isinstance(event, ServiceRequest.Cancelled)
    assert (request.status, request.cancelled_on, request.turnaround_days) == ("cancelled", day(3), None)


def test_cancelling_needs_a_reason() -> None:
    request = opened()

    assert refused(request, lambda: request.cancel("", day(1)), InvalidValue).field == "reason"


@pytest.mark.parametrize("build", [completed, cancelled])
@pytest.mark.parametrize(
    "command",
    [
        lambda r: r.assign("staff-9", day(10)),
        lambda r: r.start(day(10)),
        lambda r: r.add_update("note", "staff-9", day(10)),
        lambda r: r.complete("again", day(10)),
        lambda r: r.cancel("again", day(10)),
        lambda r: r.cancel("earlier", day(0)),
    ],
)
def test_a_closed_request_refuses_every_command(
    build: Callable[[], ServiceRequest], command: Callable[[ServiceRequest], None]
) -> None:
    request = build()

    error = refused(request, lambda: command(request), InvalidTransition)

    assert error.code == "invalid-service-request-transition"


def test_a_command_dated_before_the_last_event_is_refused() -> None:
    request = in_progress()

    error = refused(request, lambda: request.complete("done", day(1)), DomainError)

    assert error.code == "date-before-last-event"


def test_the_status_on_each_day_follows_the_timeline() -> None:
    request = completed()

    assert [request.status_on(day(n)) for n in (-1, 0, 1, 2, 4)] == [
        None,
        "opened",
        "assigned",
        "in_progress",
        "completed",
    ]


EVENT_NAMES = ["Opened", "Assigned", "WorkStarted", "UpdateAdded", "Completed", "Cancelled"]


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_every_event_has_a_stable_versioned_topic(name: str) -> None:
    event_class = getattr(ServiceRequest, name)

    assert f"inscribe.service_request.{name}.v1" == event_class.TOPIC
    assert resolve_topic(event_class.TOPIC) is event_class


def test_the_aggregate_topic_is_stable() -> None:
    assert resolve_topic("inscribe.service_request.ServiceRequest") is ServiceRequest


def test_replaying_the_events_gives_the_live_state() -> None:
    request = ServiceRequest.open(**details())
    request.assign("staff-1", day(1))
    request.add_update("waiting for the form", "staff-1", day(1))
    request.start(day(2))
    request.complete("done", day(5))

    replayed = reduce(lambda state, event: event.mutate(state), request.collect_events(), None)

    assert vars(replayed) == vars(request)


def test_stored_events_read_back_to_the_same_request() -> None:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    mapper: Mapper[Any] = Mapper(transcoder=transcoder)
    request = ServiceRequest.open(**details())
    request.assign("staff-1", day(1))
    request.start(day(2))
    request.cancel("customer withdrew", day(3))
    events = request.collect_events()

    read_back: list[Any] = [mapper.to_domain_event(mapper.to_stored_event(e)) for e in events]

    assert read_back == events
    assert vars(reduce(lambda state, event: event.mutate(state), read_back, None)) == vars(request)
