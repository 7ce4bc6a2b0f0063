"""The audit API (SPEC §9): the audit log register, chain verification and the digest."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from pydantic import BaseModel, Field

from application.audit import digest, verify_log
from application.chain import Digest
from interface.auth import requires
from interface.bootstrap import Services
from interface.errors import BadRequest
from interface.query_params import After, AsOf
from interface.http import read_position
from interface.views import page_model, row_model, to_page
from projections.audit_log import audit_filters, audit_log, audit_page
from projections.queries import PageResult

Svc = NamedDependency[Services]

AuditEntry = row_model("AuditEntry", audit_log, "One event: position, time, actor, role, aggregate, type, reason, ids.")
AuditPage = page_model("AuditPage", AuditEntry)


class DigestView(BaseModel):
    """The chain head: keep it, and later ask `verify?against=POSITION:HASH`."""

    position: int
    hash: str
    count: int
    digest: str = Field(description="POSITION:HASH, the form `against` takes")


class VerificationView(BaseModel):
    ok: bool
    checked: int = Field(description="events whose links were recomputed")
    head: DigestView
    position: int | None = Field(None, description="the first position where the log was tampered with")
    problem: str | None = Field(None, description="changed | removed | inserted | reordered | digest-mismatch")
    detail: str | None = None


def _digest(d: Digest) -> DigestView:
    return DigestView(position=d.position, hash=d.hash, count=d.count, digest=d.as_text())


class AuditQueries(Controller):
    """For auditors: who did what, when and why; and proof that the log is what was written."""

    path = "/api/v1/audit"
    tags = ["audit"]
    guards = [requires("audit.read")]

    @get("/log", sync_to_thread=True)
    def log(
        self, services: Svc, actor_id: FromQuery[str | None] = None, actor_role: FromQuery[str | None] = None,
        aggregate_type: FromQuery[str | None] = None, aggregate_id: FromQuery[str | None] = None,
        event_type: FromQuery[str | None] = None, command_id: FromQuery[str | None] = None,
        correlation_id: FromQuery[str | None] = None, recorded_from: FromQuery[datetime | None] = None,
        recorded_to: FromQuery[datetime | None] = None,
        page: Annotated[int, QueryParameter(ge=1)] = 1, page_size: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        sort: FromQuery[Literal["position", "-position", "recorded_at", "-recorded_at"]] = "position",
        as_of: AsOf = None, after: After = None,
    ) -> Any:
        """The audit log: every event with position, time, actor, role, aggregate, type and reason."""
        position = read_position(services, ["audit_log"], after, as_of)
        conditions = audit_filters(actor_id, actor_role, aggregate_type, aggregate_id, event_type, command_id,
                                   correlation_id, recorded_from, recorded_to)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("audit_log", conn)
            rows, total, at = audit_page(conn, position, conditions, page, page_size, sort, reached)
        return to_page(AuditPage, PageResult(rows, total, page, page_size, at))

    @get("/digest", sync_to_thread=True)
    def chain_digest(self, services: Svc) -> DigestView:
        """The chain head (position and hash) for an auditor to keep."""
        return _digest(digest(services.app.recorder))

    @get("/verify", sync_to_thread=True)
    def verify(self, services: Svc, against: FromQuery[str | None] = None) -> VerificationView:
        """Recompute the whole chain from the stored events; name the first event changed, removed,
        inserted or reordered behind the application's back. `against` checks a kept digest too."""
        try:
            kept = Digest.parse(against) if against else None
        except ValueError as e:
            raise BadRequest("against", str(e)) from None
        result = verify_log(services.app.recorder, kept)
        finding = result.finding
        return VerificationView(
            ok=result.ok, checked=result.checked, head=_digest(result.head),
            position=finding.position if finding else None, problem=finding.problem if finding else None,
            detail=finding.detail if finding else None,
        )
