"""The bundles API (guide 3.3 保险产品组合策略): one applicant's applications proposed and priced together; the register
of bundles and each bundle's policies as of any moment. Each command answers id, version and position;
Idempotency-Key applies."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from application.commands import bundles as commands
from domain.bundle.aggregate import Bundle
from domain.errors import NotFound
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.bundle_schemas import BundleIn, BundlePolicies, BundlePolicy
from interface.history import history_view
from interface.http import CommandAnswer, answer, command_context, read_at
from interface.query_params import QUERY_DEPENDENCIES, HistoryView, Paged, ReadAt, Text
from projections import bundles as bp

Req = Request[Principal, Any, Any]
Svc = NamedDependency[Services]
Id = FromPath[UUID]
ISSUED = ("in_force", "lapsed", "terminated", "cancelled", "surrendered", "rescinded", "expired")


class BundleController(Controller):
    """组合投保: bundles of applications and their policies."""

    path = "/api/v1/bundles"
    tags = ["policies"]
    dependencies = QUERY_DEPENDENCIES

    @post("/", guards=[requires("policies.apply")], sync_to_thread=True, status_code=201)
    def propose(self, request: Req, services: Svc, data: JSONBody[BundleIn]) -> CommandAnswer:
        """组合投保: apply for 2 to 10 covers at once; each is an application with its automatic underwriting, and the
        bundle records their combined annual premium. All are recorded, or none (a refusal names the item)."""
        ctx = command_context(request, data)
        return answer(
            commands.propose(
                services.app,
                ctx,
                applicant_id=data.applicant_id,
                items=[item.model_dump(exclude_none=True) for item in data.items],
                channel=data.channel,
                agent_id=data.agent_id,
                applied_on=data.applied_on,
            )
        )

    @get("/", guards=[requires("policies.read")], sync_to_thread=True)
    def list_bundles(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        applicant_id: FromQuery[UUID | None] = None,
        agent_id: Text = None,
    ) -> Any:
        """组合: the bundles, latest first (default); of one applicant or one agent."""
        position = read_at(services, read_point, "bundles")
        return bp.BUNDLES.page(services.read_side, bp.bundle_filters(applicant_id, agent_id), paging, position)

    @get("/{bundle_id:uuid}", guards=[requires("policies.read")], sync_to_thread=True)
    def get_bundle(self, services: Svc, bundle_id: Id, read_point: ReadAt) -> Any:
        """One bundle from the register."""
        position = read_at(services, read_point, "bundles")
        found = bp.BUNDLES.one(services.read_side, str(bundle_id), position)
        if found is None:
            raise NotFound(f"bundle {bundle_id} not found")
        return found

    @get("/{bundle_id:uuid}/policies", guards=[requires("policies.read")], sync_to_thread=True)
    def policies(self, services: Svc, bundle_id: Id, read_point: ReadAt) -> BundlePolicies:
        """Each of the bundle's policies as the policies register shows it, as of the same moment."""
        position = read_at(services, read_point, "bundles", "policies")
        row = bp.BUNDLES.raw(services.read_side, str(bundle_id), position)
        if row is None:
            raise NotFound(f"bundle {bundle_id} not found")
        items = [BundlePolicy(**p) for p in bp.bundle_policies(services.read_side, row["items"], position)]
        issued = sum(1 for item in items if item.status in ISSUED)
        return BundlePolicies(bundle_id=str(bundle_id), items=items, issued=issued)

    @get("/{bundle_id:uuid}/history", guards=[requires("policies.read")], sync_to_thread=True)
    def history(self, services: Svc, bundle_id: Id, read_point: ReadAt) -> HistoryView:
        """Every event of the bundle, with its audit metadata (SPEC §2)."""
        return history_view(services, bundle_id, read_point, Bundle.Event, "bundle")
