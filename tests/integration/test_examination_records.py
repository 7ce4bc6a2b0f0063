"""An examination's records on SQLite and PostgreSQL (domain.policy.examinations): what it was for and what it
found are sealed with the policy's key like the policy's other personal fields; once the applicant is erased
the underwriting register shows them ERASED, as a rebuild from the log does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from application.commands import examinations, policies, privacy
from domain import clock
from domain.customer.aggregate import ERASED
from domain.policy.aggregate import Policy
from projections.underwriting import underwriting_decisions
from tests.builders.common import ctx
from tests.builders.office import Office
from tests.builders.registers import every_row

D = date
REASON = "blood pressure 170/105 at the agent's visit"
SUMMARY = "hypertension grade 2, left ventricular hypertrophy"


@pytest.fixture(autouse=True)
def today_is_in_2026() -> Iterator[None]:
    with clock.using(clock.SimulatedClock(datetime(2026, 6, 1, 2, tzinfo=UTC))):
        yield


def examined_and_declined(services: Any) -> tuple[UUID, UUID]:
    office = Office(services)
    holder = office.person(5)
    policy = office.apply(holder, adverse=("hypertension",), on=D(2026, 3, 2))
    assert policy.status == "referred"

    def uw() -> Any:  # a command id each
        return ctx("uw-1", "underwriter")

    examinations.order_examination(services.app, uw(), policy.id, D(2026, 3, 2), "medical", REASON)
    examinations.report_examination(
        services.app,
        uw(),
        policy.id,
        D(2026, 3, 9),
        1,
        examiner="Ruijin",
        examined_on=D(2026, 3, 9),
        result="decline",
        summary=SUMMARY,
    )
    policies.decide(services.app, uw(), policy.id, "decline", reason="as examined", decided_on=D(2026, 3, 10))
    services.read_side.catch_up()
    return holder, policy.id


def examinations_shown(services: Any, policy_id: UUID) -> list[dict[str, Any]]:
    c = underwriting_decisions.c
    with services.read_side.engine.connect() as conn:
        row = conn.execute(
            select(c.examinations).where(c.policy_id == str(policy_id), c.valid_to.is_(None))
        ).scalar_one()
    return list(row)


def test_the_reason_and_findings_are_sealed_in_the_log(services: Any) -> None:
    _, policy_id = examined_and_declined(services)

    stored = [bytes(e.state).decode() for e in services.app.recorder.select_events(policy_id)]

    assert not any(REASON in s or SUMMARY in s for s in stored)
    (shown,) = examinations_shown(services, policy_id)
    assert (shown["reason"], shown["summary"], shown["result"]) == (REASON, SUMMARY, "decline")


def test_once_the_applicant_is_erased_the_register_shows_them_erased_as_a_rebuild_does(services: Any) -> None:
    holder, policy_id = examined_and_declined(services)

    privacy.erase(services.app, ctx(role="admin"), holder, "asked to be forgotten", today=D(2026, 6, 1))
    services.read_side.catch_up()
    live = every_row(services.read_side)
    services.read_side.rebuild(["underwriting_decisions"])

    (shown,) = examinations_shown(services, policy_id)
    assert (shown["reason"], shown["summary"], shown["examiner"]) == (ERASED, ERASED, "Ruijin")
    assert services.app.load(Policy, policy_id).examinations[0]["summary"] == ERASED
    assert every_row(services.read_side) == live
