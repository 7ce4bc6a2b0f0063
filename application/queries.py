"""The questions the event store answers (the registers answer the rest): an aggregate's history, an
aggregate as it stood at a version, a policy's cover on a business date, a claim's clocks and what its
approval would compute. Nothing here records anything.

Every business-date question also takes the version the books stood at (`as_of`, resolved by the caller
from a log position): "cover on the loss date, as the books stood on the day the claim was decided".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from application.app import InscribeApplication
from application.commands import claims as claim_commands
from domain.claim.aggregate import Claim
from domain.claim.rules import ClaimClocks
from domain.errors import InvalidValue, NotFound
from domain.identifiers import china_today
from domain.policy.aggregate import Policy
from domain.policy.state import CoverSnapshot

A = TypeVar("A", bound=Aggregate)
#: Event attributes every event has: shown apart (position, version, time, metadata), not in `data`.
_BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "meta", "originator_topic"}


@dataclass(frozen=True)
class HistoryEvent:
    """One stored event of an aggregate: its log position, version, type, time, metadata and data."""

    position: int | None
    version: int
    type: str
    recorded_at: datetime
    metadata: dict[str, Any]
    data: dict[str, Any]


def plain(value: Any) -> Any:
    """A JSON-friendly copy of an event value (Decimal and dates as strings)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return value


def event_type(event: object) -> str:
    """ "IndividualRegistered" from the stored topic "inscribe.customer.IndividualRegistered.v1"."""
    topic = get_topic(type(event))
    parts = topic.split(".")
    return parts[2] if len(parts) >= 3 and parts[0] == "inscribe" else topic


def check_kind(app: InscribeApplication, aggregate_id: UUID, event_base: type, noun: str) -> None:
    """NotFound naming the `noun` unless `aggregate_id` is an aggregate of that kind (its first event is
    an `event_base`): another aggregate's id (a policy for a customer…) is not found here."""
    first = next(iter(app.events.get(aggregate_id, limit=1)), None)
    if not isinstance(first, event_base):
        raise NotFound(f"{noun} {aggregate_id} not found")


def history(
    app: InscribeApplication,
    aggregate_id: UUID,
    event_base: type,
    noun: str,
    positions: Mapping[int, int],
    up_to: int | None,
) -> list[HistoryEvent]:
    """Every event of the aggregate, oldest first, up to log position `up_to` (None = all); `positions`
    maps each version to its log position (as far as the audit log has reached). NotFound naming the
    `noun` for another kind of aggregate, or as of a moment before it began."""
    check_kind(app, aggregate_id, event_base, noun)
    entries = []
    for event in app.events.get(aggregate_id):
        at = positions.get(event.originator_version)
        if up_to is not None and (at is None or at > up_to):
            break
        entries.append(
            HistoryEvent(
                position=at,
                version=event.originator_version,
                type=event_type(event),
                recorded_at=cast(Any, event).timestamp,
                metadata=event.__dict__.get("meta") or {},
                data={k: plain(v) for k, v in event.__dict__.items() if k not in _BASE_FIELDS},
            )
        )
    if not entries:
        raise NotFound(f"{noun} {aggregate_id} not found at that moment")
    return entries


def version_at(positions: Mapping[int, int], up_to: int, what: str) -> int:
    """The aggregate's version as the books stood at log position `up_to`: its last version recorded at or
    before it (`positions`: each version's log position). NotFound naming `what` if it had none then."""
    versions = [version for version, at in positions.items() if at <= up_to]
    if not versions:
        raise NotFound(f"{what} not found at that moment")
    return max(versions)


def at_version(app: InscribeApplication, kind: type[A], aggregate_id: UUID, version: int | None) -> A:
    """The aggregate as it stood at `version` (None = now)."""
    return app.load(kind, aggregate_id, version)


def cover_on(
    app: InscribeApplication, policy_id: UUID, on: date, *, version: int | None = None, today: date | None = None
) -> CoverSnapshot:
    """The policy as it stood on business date `on` (a loss date), as the books stood at `version`
    (None = now): time is advanced on a copy up to today first, so a lapse the scheduler has not yet
    recorded still counts."""
    check_kind(app, policy_id, Policy.Event, "policy")
    now = today or china_today()
    if on > now:
        raise InvalidValue("on", f"{on} is after today ({now}): cover is known only up to today")
    policy = app.load(Policy, policy_id, version)
    policy.advance_time(now)
    return policy.cover_on(on)


def clocks_on(app: InscribeApplication, claim_id: UUID, day: date, version: int | None = None) -> ClaimClocks:
    """A claim's clocks at the end of business date `day`, the claim as it stood at `version`."""
    return app.load(Claim, claim_id, version).clocks_on(day)


def settlement(
    app: InscribeApplication, claim_id: UUID, version_of: Callable[[UUID], int] | None = None
) -> dict[str, Decimal]:
    """What approval would compute against the policy on the loss date (7.3 (1)); records nothing.

    Without `version_of`, from the claim and the policy as they stand now; with it, from the versions
    it names for each (as the books stood at a moment, e.g. the day the claim was decided)."""
    if version_of is None:
        return claim_commands.settlement(app, claim_id)
    check_kind(app, claim_id, Claim.Event, "claim")
    claim = app.load(Claim, claim_id, version_of(claim_id))
    policy_id = UUID(str(claim.policy_id))
    policy_version = version_of(policy_id)
    cover = cover_on(app, policy_id, claim.loss_date, version=policy_version)
    owed = app.load(Policy, policy_id, policy_version).grace_deduction(claim.loss_date)[0]
    return claim.settlement(cover, premium_owed=owed)
