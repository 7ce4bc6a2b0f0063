"""The product approval API (guide 3.2; SPEC §13): product versions drafted as catalogue files, checked against the
design rules, approved, launched and withdrawn; the register of every version as of any moment and the
catalogue's history. Only launched versions are quoted and sold (`/api/v1/products`, `/api/v1/quotes`, applications).
Each command answers id, version and position; Idempotency-Key applies."""

from __future__ import annotations

import json
from typing import Any, Literal, get_args

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from application.commands import products as commands
from domain.errors import NotFound
from domain.product.approval import CATALOGUE_ID, STATUSES, ProductCatalogue
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.history import history_view
from interface.http import CommandAnswer, answer, business_day, command_context, read_at
from interface.product_approval_schemas import ApproveIn, CheckIn, DraftIn, LaunchIn, WithdrawIn
from interface.query_params import QUERY_DEPENDENCIES, HistoryView, Paged, ReadAt, Text, Today
from projections import products as pv

Req = Request[Principal, Any, Any]
Svc = NamedDependency[Services]
Code = FromPath[str]
Version = FromPath[int]
MANAGE, READ = "products.manage", "products.read"
Status = Literal["drafted", "check_failed", "checked", "approved", "launched", "withdrawn"]
Line = Literal["life", "health", "accident", "property", "liability", "credit"]
assert set(STATUSES) == set(get_args(Status))  # the query's choices are the domain's statuses


def _text(definition: dict[str, Any]) -> str:
    return json.dumps(definition, ensure_ascii=False, indent=2)


class ProductVersionController(Controller):
    """产品审批: every product version from its draft to its withdrawal."""

    path = "/api/v1/product-versions"
    tags = ["products"]
    dependencies = QUERY_DEPENDENCIES

    @post("/", guards=[requires(MANAGE)], sync_to_thread=True, status_code=201)
    def draft(self, request: Req, services: Svc, data: JSONBody[DraftIn]) -> CommandAnswer:
        """Draft a new product version from the JSON of a catalogue file, numbered above every version of its code."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(commands.draft(services.app, ctx, on, definition=_text(data.definition), staff_id=ctx.actor_id))

    @post("/{code:str}/{version:int}/revision", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def revise(
        self, request: Req, services: Svc, code: Code, version: Version, data: JSONBody[DraftIn]
    ) -> CommandAnswer:
        """Replace a draft's definition (same code and version); it must be checked again."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        text = _text(data.definition)
        return answer(commands.revise(services.app, ctx, code, version, on, definition=text, staff_id=ctx.actor_id))

    @post("/{code:str}/{version:int}/check", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def check(
        self, request: Req, services: Svc, code: Code, version: Version, data: JSONBody[CheckIn]
    ) -> CommandAnswer:
        """Check the version against the design rules (5.2 (3) a–f, cooling-off, fee, rates, claim documents); a
        failed check is recorded with its findings (the register's `findings`)."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(commands.check(services.app, ctx, code, version, on, staff_id=ctx.actor_id))

    @post("/{code:str}/{version:int}/approval", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def approve(
        self, request: Req, services: Svc, code: Code, version: Version, data: JSONBody[ApproveIn]
    ) -> CommandAnswer:
        """Approve the checked version: the caller neither drafted nor revised it (409 approver-is-author)."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(commands.approve(services.app, ctx, code, version, on, staff_id=ctx.actor_id, note=data.note))

    @post("/{code:str}/{version:int}/launch", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def launch(
        self, request: Req, services: Svc, code: Code, version: Version, data: JSONBody[LaunchIn]
    ) -> CommandAnswer:
        """Put the approved version on sale from `launches_on`."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        first = data.launches_on or on
        return answer(commands.launch(services.app, ctx, code, version, on, launches_on=first, staff_id=ctx.actor_id))

    @post("/{code:str}/{version:int}/withdrawal", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def withdraw(
        self, request: Req, services: Svc, code: Code, version: Version, data: JSONBody[WithdrawIn]
    ) -> CommandAnswer:
        """Stop selling the version from `withdrawn_on`; policies sold under it keep it."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        last = data.withdrawn_on or on
        return answer(
            commands.withdraw(
                services.app, ctx, code, version, on, withdrawn_on=last, reason=data.reason, staff_id=ctx.actor_id
            )
        )

    @get("/", guards=[requires(READ)], sync_to_thread=True)
    def list_versions(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        code: Text = None,
        status: FromQuery[Status | None] = None,
        line: FromQuery[Line | None] = None,
        kind: FromQuery[Literal["main", "rider"] | None] = None,
        on_sale: FromQuery[bool | None] = None,
        today: Today = None,
    ) -> Any:
        """产品: every product version, by code (default); `on_sale` as on `today` (default today in China)."""
        position = read_at(services, read_point, "products")
        day = business_day(today)
        conditions = pv.version_filters(code, status, line, kind, on_sale, day)
        return pv.PRODUCT_VERSIONS.page(services.read_side, conditions, paging, position, today=day)

    @get("/history", guards=[requires(READ)], sync_to_thread=True)
    def history(self, services: Svc, read_point: ReadAt) -> HistoryView:
        """Every event of the catalogue in order (each names its version), with its audit metadata (SPEC §2); none
        before the catalogue was opened."""
        try:
            return history_view(services, CATALOGUE_ID, read_point, ProductCatalogue.Event, "product catalogue")
        except NotFound:  # asked as of a moment before its first event
            return HistoryView(id=str(CATALOGUE_ID), events=[])

    @get("/{code:str}/{version:int}", guards=[requires(READ)], sync_to_thread=True)
    def get_version(self, services: Svc, code: Code, version: Version, read_point: ReadAt, today: Today = None) -> Any:
        """One product version from the register."""
        position = read_at(services, read_point, "products")
        found = pv.PRODUCT_VERSIONS.one(
            services.read_side, pv.version_key(code, version), position, today=business_day(today)
        )
        if found is None:
            raise NotFound(f"product version {code} v{version} not found")
        return found

    @get("/{code:str}/{version:int}/definition", guards=[requires(READ)], sync_to_thread=True)
    def definition(self, services: Svc, code: Code, version: Version) -> dict[str, Any]:
        """The version's definition as it stands now (the JSON of its catalogue file), from the log."""
        services.app.catalogue  # noqa: B018  (the shipped files recorded: the catalogue exists)
        state = services.app.view(ProductCatalogue, CATALOGUE_ID).versions.get((code, version))
        if state is None:
            raise NotFound(f"product version {code} v{version} not found")
        found: dict[str, Any] = json.loads(state.definition)  # (a draft is a JSON object: domain.product.approval)
        return found
