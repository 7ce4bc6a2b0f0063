"""The audit API (SPEC §9): the audit log register, chain verification, the digest and the export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream
from pydantic import BaseModel, Field

from application.infrastructure.audit import digest, verify_log
from application.infrastructure.chain import Digest
from application.infrastructure.export import RangeError, Selection, describe_source, package_chunks, select_range
from interface.auth import requires
from interface.bootstrap import Services
from interface.errors import BadRequest
from interface.http import read_position
from interface.query_params import MAX_PAGE, After, AsOf, Format, Position, Text
from projections.audit_log import AUDIT_LOG, audit_filters, moment_position
from projections.register import Paging

Svc = NamedDependency[Services]

Day = Annotated[str | None, QueryParameter(format="date", description="YYYY-MM-DD, inclusive, China time (UTC+08:00)")]


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
        self,
        services: Svc,
        actor_id: Text = None,
        actor_role: Text = None,
        aggregate_type: Text = None,
        aggregate_id: Text = None,
        event_type: Text = None,
        command_id: Text = None,
        correlation_id: Text = None,
        recorded_from: FromQuery[datetime | None] = None,
        recorded_to: FromQuery[datetime | None] = None,
        page: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        sort: FromQuery[Literal["position", "-position", "recorded_at", "-recorded_at"]] = "position",
        as_of: AsOf = None,
        after: After = None,
        format_: Format = None,  # JSON or CSV: the answer reads it (interface.responses)
    ) -> Any:
        """The audit log: every event with position, time, actor, role, aggregate, type and reason."""
        position = read_position(services, ["audit_log"], after, as_of)
        conditions = audit_filters(
            actor_id,
            actor_role,
            aggregate_type,
            aggregate_id,
            event_type,
            command_id,
            correlation_id,
            recorded_from,
            recorded_to,
        )
        return AUDIT_LOG.page(services.read_side, conditions, Paging(page, page_size, sort), position)

    @get("/digest", sync_to_thread=True)
    def chain_digest(self, services: Svc) -> DigestView:
        """The chain head (position and hash) for an auditor to keep."""
        return _digest(digest(services.app.recorder))

    @get("/verify", sync_to_thread=True)
    def verify(self, services: Svc, against: Text = None) -> VerificationView:
        """Recompute the whole chain from the stored events; name the first event changed, removed,
        inserted or reordered behind the application's back. `against` checks a kept digest too."""
        try:
            kept = Digest.parse(against) if against else None
        except ValueError as e:
            raise BadRequest("against", str(e)) from None
        result = verify_log(services.app.recorder, kept)
        finding = result.finding
        return VerificationView(
            ok=result.ok,
            checked=result.checked,
            head=_digest(result.head),
            position=finding.position if finding else None,
            problem=finding.problem if finding else None,
            detail=finding.detail if finding else None,
        )

    @get("/export", sync_to_thread=True, media_type="application/zip")
    def export(
        self,
        services: Svc,
        from_: Annotated[
            str | None,
            QueryParameter(name="from", format="date", description="YYYY-MM-DD, inclusive, China time (UTC+08:00)"),
        ] = None,
        to: Day = None,
        from_position: Position = None,
        to_position: Position = None,
    ) -> Stream:
        """An audit package (ZIP: events.jsonl and manifest.json) for a period, streamed as it is written.
        Check it offline with `inscribe audit verify-package`. Without a range, the whole log."""
        try:
            selection = export_selection(
                services,
                from_day=_day("from", from_),
                to_day=_day("to", to),
                from_position=from_position,
                to_position=to_position,
            )
        except RangeError as e:
            raise BadRequest(e.field, e.message) from None
        chunks = package_chunks(
            services.app.recorder, selection, source=describe_source(services.settings.database_url)
        )
        return Stream(
            chunks,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{package_name(selection)}"'},
        )


def _day(field: str, value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise BadRequest(field, f"{field} must be a date, YYYY-MM-DD") from None


def export_selection(
    services: Services,
    *,
    from_day: date | None = None,
    to_day: date | None = None,
    from_position: int | None = None,
    to_position: int | None = None,
) -> Selection:
    """The positions to export as of the head now; days are mapped through the audit_log read table,
    once it has reached the head (a bounded wait, else 503)."""
    read_side = services.read_side
    head = read_side.head()

    def at(moment: datetime) -> int:
        read_side.wait_for(head, ["audit_log"], services.settings.read_wait_seconds)
        return moment_position(read_side, moment)

    return select_range(
        head, at, from_day=from_day, to_day=to_day, from_position=from_position, to_position=to_position
    )


def package_name(selection: Selection) -> str:
    """inscribe-audit-2025-03-01_2025-03-31.zip, or by positions when no days were asked for."""
    asked = selection.asked
    if "from_date" in asked or "to_date" in asked:
        return f"inscribe-audit-{asked.get('from_date', 'start')}_{asked.get('to_date', 'now')}.zip"
    return f"inscribe-audit-{selection.from_position}-{selection.to_position}.zip"
