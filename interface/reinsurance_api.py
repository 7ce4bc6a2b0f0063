"""The reinsurance API (再保险, guide 6.1.1 (6)): treaties concluded, ended and settled; each policy's cession, each
claim's recoveries and the ledger of reinsurance money, as of any moment. The bordereau and the net loss ratio are
`/api/v1/reports/reinsurance_bordereau` and `/api/v1/reports/net_loss_ratio`. Each command answers id, version and
position; If-Match and Idempotency-Key apply."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from application.commands import reinsurance as commands
from domain.errors import NotFound
from domain.reinsurance.aggregate import Treaty
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.history import history_view
from interface.http import CommandAnswer, answer, business_day, command_context, read_at
from interface.query_params import QUERY_DEPENDENCIES, HistoryView, Paged, ReadAt, Text
from interface.reinsurance_schemas import EndTreatyIn, EntryKind, Kind, Line, PlacementIn, RecoveryReceivedIn, TreatyIn
from projections import reinsurance_registers as rr

Req = Request[Principal, Any, Any]
Svc = NamedDependency[Services]
Id = FromPath[UUID]
MANAGE, READ = "reinsurance.manage", "reinsurance.read"


class ReinsuranceController(Controller):
    """再保险: treaties, cessions, recoveries and the money ceded and recovered."""

    path = "/api/v1/reinsurance"
    tags = ["reinsurance"]
    dependencies = QUERY_DEPENDENCIES

    @post("/treaties", guards=[requires(MANAGE)], sync_to_thread=True, status_code=201)
    def conclude(self, request: Req, services: Svc, data: JSONBody[TreatyIn]) -> CommandAnswer:
        """再保险合同: a treaty (quota share, surplus or per-risk excess of loss) for some lines or products."""
        ctx = command_context(request, data)
        fields = data.model_dump(exclude={"on"})
        fields["terms"] = {k: v for k, v in fields["terms"].items() if v is not None}
        return answer(commands.conclude(services.app, ctx, on=business_day(data.on), by=ctx.actor_id, **fields))

    @post("/treaties/{treaty_id:uuid}/end", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def end(self, request: Req, services: Svc, treaty_id: Id, data: JSONBody[EndTreatyIn]) -> CommandAnswer:
        """End the treaty early, with why: risks whose cover starts after `ends_on` no longer attach."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(commands.end(services.app, ctx, treaty_id, on, ends_on=data.ends_on, reason=data.reason))

    @post(
        "/treaties/{treaty_id:uuid}/recoveries-received",
        guards=[requires(MANAGE)],
        sync_to_thread=True,
        status_code=200,
    )
    def received(self, request: Req, services: Svc, treaty_id: Id, data: JSONBody[RecoveryReceivedIn]) -> CommandAnswer:
        """A reinsurer of the treaty paid recoveries due (an ended treaty still settles)."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        fields = data.model_dump(exclude={"on"})
        return answer(commands.receive_recovery(services.app, ctx, treaty_id, on, **fields))

    @post("/placements", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def place(self, request: Req, services: Svc, data: JSONBody[PlacementIn]) -> CommandAnswer:
        """临时分保: place part of a referred risk beyond every treaty's capacity with a reinsurer; the underwriter's
        acceptance waits until the placements hold all of it (409 `facultative-placement-required`)."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        fields = data.model_dump(exclude={"on", "policy_id"})
        return answer(commands.place_facultative(services.app, ctx, data.policy_id, on, **fields))

    @get("/treaties", guards=[requires(READ)], sync_to_thread=True)
    def list_treaties(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        kind: FromQuery[Kind | None] = None,
        status: FromQuery[Literal["concluded", "ended"] | None] = None,
        line: FromQuery[Line | None] = None,
    ) -> Any:
        """再保险合同: the treaties, latest effective first (default)."""
        position = read_at(services, read_point, "reinsurance")
        return rr.TREATIES.page(services.read_side, rr.treaty_filters(kind, status, line), paging, position)

    @get("/treaties/{treaty_id:uuid}", guards=[requires(READ)], sync_to_thread=True)
    def get_treaty(self, services: Svc, treaty_id: Id, read_point: ReadAt) -> Any:
        """One treaty from the register."""
        position = read_at(services, read_point, "reinsurance")
        found = rr.TREATIES.one(services.read_side, str(treaty_id), position)
        if found is None:
            raise NotFound(f"treaty {treaty_id} not found")
        return found

    @get("/treaties/{treaty_id:uuid}/history", guards=[requires(READ)], sync_to_thread=True)
    def history(self, services: Svc, treaty_id: Id, read_point: ReadAt) -> HistoryView:
        """Every event of the treaty in order, with its audit metadata (SPEC §2)."""
        return history_view(services, treaty_id, read_point, Treaty.Event, "treaty")

    @get("/cessions", guards=[requires(READ)], sync_to_thread=True)
    def cessions(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        treaty_id: FromQuery[UUID | None] = None,
        product_code: Text = None,
        line: FromQuery[Line | None] = None,
        beyond_capacity: FromQuery[bool | None] = None,
    ) -> Any:
        """分出: each issued policy's cession, latest period first (default); `beyond_capacity=true` lists the
        risks no treaty's capacity holds whole."""
        position = read_at(services, read_point, "reinsurance")
        conditions = rr.cession_filters(treaty_id, product_code, line, beyond_capacity)
        return rr.CESSIONS.page(services.read_side, conditions, paging, position)

    @get("/cessions/{policy_id:uuid}", guards=[requires(READ)], sync_to_thread=True)
    def get_cession(self, services: Svc, policy_id: Id, read_point: ReadAt) -> Any:
        """One policy's cession (an issued policy's)."""
        position = read_at(services, read_point, "reinsurance")
        found = rr.CESSIONS.one(services.read_side, str(policy_id), position)
        if found is None:
            raise NotFound(f"no cession of policy {policy_id}")
        return found

    @get("/recoveries", guards=[requires(READ)], sync_to_thread=True)
    def recoveries(
        self, services: Svc, paging: Paged, read_point: ReadAt, policy_id: FromQuery[UUID | None] = None
    ) -> Any:
        """摊回: what the treaties owe on each claim's payments, largest first (default)."""
        position = read_at(services, read_point, "reinsurance")
        return rr.RECOVERIES.page(services.read_side, rr.recovery_filters(policy_id), paging, position)

    @get("/entries", guards=[requires(READ)], sync_to_thread=True)
    def entries(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        kind: FromQuery[EntryKind | None] = None,
        treaty_id: FromQuery[UUID | None] = None,
        reinsurer: Text = None,
        policy_id: FromQuery[UUID | None] = None,
        claim_id: FromQuery[UUID | None] = None,
        on_from: FromQuery[date | None] = None,
        on_to: FromQuery[date | None] = None,
    ) -> Any:
        """The ledger of reinsurance money in the order it was recorded (default): premium received and ceded,
        claims paid and recovered, settlements received."""
        position = read_at(services, read_point, "reinsurance")
        conditions = rr.entry_filters(kind, treaty_id, reinsurer, policy_id, claim_id, on_from, on_to)
        return rr.ENTRIES.page(services.read_side, conditions, paging, position)
