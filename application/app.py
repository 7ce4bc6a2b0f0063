"""The eventsourcing Application: one event log, audit metadata and idempotent commands."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, LRUCache, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper, Transcoding

import domain.topics  # noqa: F401  (every stored topic, so this process can decode every event)
from application.context import CommandContext
from application.infrastructure.keys import KeyRing, KeyTable
from application.infrastructure.personal import PersonalDataMapper
from application.infrastructure.recorders import CommandRecord
from application.infrastructure.settings import Settings
from application.loading import reconstruct, replay, take_due
from application.products import ProductBook
from application.retention import Contract
from domain.errors import DomainError, NotFound
from domain.improvement.rules import Scope, Score
from domain.policy.aggregate import Policy
from domain.policy.underwriting_case import History
from domain.product.catalogue import Catalogue

A = TypeVar("A", bound=Aggregate)

#: The key-table row whose key is the identity claims' HMAC secret when none is configured.
IDENTITY_SUBJECT = "inscribe:identity-secret"


class DateAsISO(Transcoding):
    """Stores `datetime.date` values as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class StaleVersion(DomainError):
    """`If-Match` named a version that is no longer current (HTTP 409)."""

    code = "stale-version"


class ConcurrentModification(DomainError):
    """Another command changed the aggregate first (HTTP 409)."""

    code = "concurrent-modification"


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key was sent again with a different request (HTTP 409)."""

    code = "idempotency-key-reused"


class NoReadSide(RuntimeError):
    """A process built without a read side (the audit commands) was asked a read-side question."""


@dataclass(frozen=True)
class ReadSidePorts:
    """The questions the write side asks the read side, passed in by the composition root
    (interface.bootstrap answers them from the registers)."""

    #: 6.2.5 reputation of an insured in a line (earlier declines, rescissions, claims, cover held).
    underwriting_history: Callable[[str, str], History]
    #: Fraud indicator (ch. 9): how many claims on a policy had their loss between two dates.
    claims_on_policy: Callable[[str, date, date], int]
    #: Art. 87 retention (application.commands.privacy): a customer's contracts.
    contracts_of: Callable[[str], list[Contract]]
    #: 8.3.2: a survey dimension's score in a scope and period (the survey analysis), with its position.
    survey_score: Callable[[Scope], Score]
    #: ch. 9: a key risk indicator's value (metric, line, period) from the reports once they reached a position
    #: (None: the head of the log), with the position it was computed at.
    indicator_value: Callable[[str, str | None, date, date, int | None], tuple[Decimal | None, int]]
    #: 6.1.1 (6): what of a risk (line, product, start, sum insured) no treaty's capacity would hold.
    reinsurance_beyond: Callable[[str, str, date, Decimal], Decimal]

    @classmethod
    def none(cls, process: str) -> ReadSidePorts:
        """For a process that has no read side (`process` names it): any question raises NoReadSide."""

        def refuse(*_: object) -> Any:
            raise NoReadSide(f"{process} runs without a read side: no register can answer")

        return cls(
            underwriting_history=refuse,
            claims_on_policy=refuse,
            contracts_of=refuse,
            survey_score=refuse,
            indicator_value=refuse,
            reinsurance_beyond=refuse,
        )


@dataclass(frozen=True)
class CommandResult:
    """What every command answers: the aggregate, its new version, the log position of its last event."""

    id: str
    version: int
    position: int
    replayed: bool = False


class InscribeApplication(Application[UUID]):
    """The write side. Command handlers (application.commands.customers, …) run through `execute`."""

    name = "Inscribe"
    #: Policies' states every few events (application.loading), in the library's snapshot store.
    is_snapshotting_enabled = True

    def __init__(self, settings: Settings, *, read_side: ReadSidePorts) -> None:
        self.settings = settings
        with self.settings.setup_lock():  # the library creates its tables; we backfill the chain
            super().__init__(env=self.settings.eventsourcing_env())
            # Events written before the hash chain existed are linked now, recorded as `backfilled`.
            self.backfilled = self.recorder.backfill_chain()  # type: ignore[attr-defined]
        self._listeners: list[Callable[[int], None]] = []
        self._lock = threading.Lock()
        # Aggregates saved by this process's commands, for the next load (Settings.aggregate_cache).
        self._recent: LRUCache[UUID, Aggregate] | None = (
            LRUCache(self.settings.aggregate_cache) if self.settings.aggregate_cache else None
        )
        self._command = threading.local()  # the aggregates the running command loaded
        # PIPL: a key per customer seals personal fields (application.infrastructure.personal, application.infrastructure.keys).
        self.keys = KeyRing(
            cast(KeyTable, self.recorder),
            ttl=self.settings.key_cache_seconds,
            wrapping_key=self.settings.wrapping_key(),
        )
        assert isinstance(self.mapper, PersonalDataMapper)
        self.mapper.keys = self.keys
        # The HMAC secret of identity claims (domain.identity.aggregate): configured, or one kept with the keys.
        given = self.settings.identity_secret
        self.identity_secret: bytes = given.encode() if given else self.keys.cipher_to_write(IDENTITY_SUBJECT).key
        self.products = ProductBook(self)  # the catalogue that quotes and sells (`catalogue`)
        # What the command handlers ask the read side (ReadSidePorts), as the composition root wired it.
        self.underwriting_history: Callable[[str, str], History] = read_side.underwriting_history
        self.claims_on_policy: Callable[[str, date, date], int] = read_side.claims_on_policy
        self.contracts_of: Callable[[str], list[Contract]] = read_side.contracts_of
        self.survey_score: Callable[[Scope], Score] = read_side.survey_score
        self.indicator_value: Callable[[str, str | None, date, date, int | None], tuple[Decimal | None, int]] = (
            read_side.indicator_value
        )
        self.reinsurance_beyond: Callable[[str, str, date, Decimal], Decimal] = read_side.reinsurance_beyond

    @property
    def catalogue(self) -> Catalogue:
        """The launched product versions (application.products), as the log holds them now."""
        return self.products.current()

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository without the snapshot store: reads that may start from a snapshot go
        through `application.loading.reconstruct`, which passes over snapshots other code took."""
        snapshots, self.snapshots = self.snapshots, None
        try:
            return super().construct_repository()
        finally:
            self.snapshots = snapshots

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=PersonalDataMapper)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def on_saved(self, listener: Callable[[int], None]) -> None:
        """Call `listener(position)` after each command is saved (wakes in-process projections)."""
        self._listeners.append(listener)

    def load(self, aggregate_type: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        """The aggregate, or NotFound.

        With `Settings.aggregate_cache`, the latest version comes from the copy this process last
        saved or read, moved on by the events recorded since. The copy is taken out of the cache while
        in use (so no two callers share it); a successful save puts it back (`record`), and so does a
        command that succeeds for what it read and left unchanged (`once`). A command that fails, or a
        caller that changes an aggregate without saving it, puts nothing back.
        """
        cached = self._take_cached(aggregate_id) if version is None else None
        try:
            if cached is not None:
                since = self.repository.event_store.get(originator_id=aggregate_id, gt=cached.version)
                aggregate: Aggregate = cast(Aggregate, replay(cached, since))
            else:
                found = reconstruct(self, aggregate_id, version, snapshots=issubclass(Policy, aggregate_type))
                if found is None:
                    raise AggregateNotFoundError(aggregate_id)
                aggregate = found
        except AggregateNotFoundError:
            raise NotFound(f"{aggregate_type.__name__.lower()} {aggregate_id} not found") from None
        if not isinstance(aggregate, aggregate_type):
            raise NotFound(f"{aggregate_type.__name__.lower()} {aggregate_id} not found")
        loaded = getattr(self._command, "loaded", None)
        if loaded is not None and version is None:
            loaded.append(aggregate)
        return aggregate

    def view(self, aggregate_type: type[A], aggregate_id: UUID) -> A:
        """The aggregate, for reading only: with the cache, the copy stays there for the next load."""
        aggregate = self.load(aggregate_type, aggregate_id)
        self._give_back(aggregate)
        return aggregate

    def _give_back(self, *aggregates: Aggregate) -> None:
        """Put back in the cache aggregates read and left unchanged (no pending events)."""
        if self._recent is not None:
            for aggregate in aggregates:
                if not aggregate.pending_events:
                    self._recent.put(aggregate.id, aggregate)

    def forget_cached(self, *aggregate_ids: UUID) -> None:
        """Drop these aggregates from this process's cache (Settings.aggregate_cache): after an
        erasure, no command may start from a copy that still holds the personal data."""
        for aggregate_id in aggregate_ids:
            self._take_cached(aggregate_id)

    def _take_cached(self, aggregate_id: UUID) -> Aggregate | None:
        if self._recent is None:
            return None
        try:
            return self._recent.get(aggregate_id, evict=True)
        except KeyError:
            return None

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def previous_answer(self, ctx: CommandContext) -> CommandResult | None:
        """The first answer to this command id, if it ran before; a different request is refused."""
        record: CommandRecord | None = self.recorder.select_command(ctx.command_id)  # type: ignore[attr-defined]
        if record is None:
            return None
        if record.fingerprint != ctx.fingerprint:
            raise IdempotencyKeyReused(f"Idempotency-Key {ctx.command_id} was already used for a different request")
        return CommandResult(record.aggregate_id, record.version, record.position, replayed=True)

    def execute(
        self,
        ctx: CommandContext,
        aggregate_type: type[A],
        aggregate_id: UUID,
        action: Callable[[A], Iterable[Aggregate] | None],
    ) -> CommandResult:
        """Load an aggregate, check If-Match, run `action`, save what it changed with the metadata."""

        def run() -> CommandResult:
            aggregate = self.load(aggregate_type, aggregate_id)
            if ctx.expected_version is not None and ctx.expected_version != aggregate.version:
                raise StaleVersion(
                    f"{aggregate_type.__name__.lower()} {aggregate_id} is at version {aggregate.version}, "
                    f"not {ctx.expected_version}",
                    current_version=aggregate.version,
                )
            others = action(aggregate) or ()
            return self.record(ctx, aggregate, *others)

        return self.once(ctx, run)

    def create(self, ctx: CommandContext, build: Callable[[], A | tuple[A, ...]]) -> CommandResult:
        """Run a creating command; the first aggregate built is the one answered."""

        def run() -> CommandResult:
            built = build()
            aggregates = built if isinstance(built, tuple) else (built,)
            return self.record(ctx, *aggregates)

        return self.once(ctx, run)

    def once(self, ctx: CommandContext, run: Callable[[], CommandResult]) -> CommandResult:
        """Run a command at most once per command id: a retry gets the first answer.

        The log is asked again when the command is refused, because a retry that raced its own
        first copy sees the effects of that copy (a stale version, a taken ID number) and must
        still get the first answer, not an error.
        """
        previous = self.previous_answer(ctx)
        if previous is not None:
            return previous
        self._command.loaded = loaded = cast(list[Aggregate], [])
        try:
            result = run()
        except DomainError:
            previous = self.previous_answer(ctx)
            if previous is not None:
                return previous
            raise
        finally:
            self._command.loaded = None
        self._give_back(*loaded)  # what the command read and left unchanged
        return result

    def record(self, ctx: CommandContext, main: Aggregate, *others: Aggregate, **save: Any) -> CommandResult:
        """Attach the audit metadata to every pending event and save them in one transaction.

        `save` goes to the recorder with the events (`shred=[subject]` destroys keys in that transaction).
        """
        for aggregate in (main, *others):
            for event in aggregate.pending_events:
                vars(event)["meta"] = ctx.metadata(event.timestamp)
        command = CommandRecord(ctx.command_id, ctx.fingerprint, str(main.id), main.version)
        try:
            recordings = self.save(main, *others, command=command, **save)
        except IntegrityError:
            previous = self.previous_answer(ctx)
            if previous is not None:
                return previous
            raise ConcurrentModification(
                f"{type(main).__name__.lower()} {main.id} was changed by another command; reload and retry"
            ) from None
        position = max((r.notification.id for r in recordings), default=0)
        take_due(self, recordings)
        if self._recent is not None:
            for aggregate in (main, *others):
                self._recent.put(aggregate.id, aggregate)
        for listener in self._listeners:
            listener(position)
        return CommandResult(str(main.id), main.version, position)
