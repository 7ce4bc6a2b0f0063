"""The campaign API (营销活动策划, guide 2.1 (5)): campaigns planned for segments, a channel and a period; contacts
with customers who consented to marketing; applications linked; the register, its contacts and applications as
of any moment. The conversion report is `/api/v1/reports/campaign_conversion`. Each command answers id, version
and position; If-Match and Idempotency-Key apply."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from application.commands import campaigns as commands
from domain.campaign.aggregate import Campaign
from domain.errors import NotFound
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.campaign_schemas import CampaignIn, CloseCampaignIn, ContactIn, LinkIn, Outcome
from interface.history import history_view
from interface.http import CommandAnswer, answer, business_day, command_context, read_at
from interface.query_params import QUERY_DEPENDENCIES, HistoryView, Paged, ReadAt, Text, Today
from projections import campaigns as cp

Req = Request[Principal, Any, Any]
Svc = NamedDependency[Services]
Id = FromPath[UUID]
PLAN, CONTACT, READ = "campaigns.plan", "campaigns.contact", "campaigns.read"


class CampaignController(Controller):
    """营销活动: campaigns, their contacts and the applications they brought."""

    path = "/api/v1/campaigns"
    tags = ["campaigns"]
    dependencies = QUERY_DEPENDENCIES

    @post("/", guards=[requires(PLAN)], sync_to_thread=True, status_code=201)
    def plan(self, request: Req, services: Svc, data: JSONBody[CampaignIn]) -> CommandAnswer:
        """营销活动策划: a campaign for customer segments through a channel over a period, with its owner."""
        ctx = command_context(request, data)
        fields = data.model_dump(exclude={"on"})
        return answer(commands.plan(services.app, ctx, on=business_day(data.on), **fields))

    @post("/{campaign_id:uuid}/contacts", guards=[requires(CONTACT)], sync_to_thread=True, status_code=200)
    def contact(self, request: Req, services: Svc, campaign_id: Id, data: JSONBody[ContactIn]) -> CommandAnswer:
        """A contact with a customer during the campaign, by the caller: refused unless the customer's segment is
        targeted and they consented to marketing."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(
            commands.contact(
                services.app,
                ctx,
                campaign_id,
                on,
                customer_id=data.customer_id,
                outcome=data.outcome,
                staff_id=ctx.actor_id,
            )
        )

    @post("/{campaign_id:uuid}/applications", guards=[requires(CONTACT)], sync_to_thread=True, status_code=200)
    def link(self, request: Req, services: Svc, campaign_id: Id, data: JSONBody[LinkIn]) -> CommandAnswer:
        """Count an application as the campaign's: its applicant was contacted in it on or before applying."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(commands.link_application(services.app, ctx, campaign_id, on, policy_id=data.policy_id))

    @post("/{campaign_id:uuid}/closure", guards=[requires(PLAN)], sync_to_thread=True, status_code=200)
    def close(self, request: Req, services: Svc, campaign_id: Id, data: JSONBody[CloseCampaignIn]) -> CommandAnswer:
        """Close the campaign, with why; a closed campaign refuses every command (links too: close it after its
        attribution window)."""
        ctx = command_context(request, data)
        return answer(commands.close(services.app, ctx, campaign_id, business_day(data.on), reason=data.reason))

    @get("/", guards=[requires(READ)], sync_to_thread=True)
    def list_campaigns(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        status: FromQuery[Literal["planned", "closed"] | None] = None,
        channel: Text = None,
        owner_id: Text = None,
        phase: FromQuery[Literal["upcoming", "running", "ended", "closed"] | None] = None,
        today: Today = None,
    ) -> Any:
        """营销活动: the campaigns, latest first (default); `phase` as on `today` (default today in China)."""
        position = read_at(services, read_point, "campaigns")
        day = business_day(today)
        conditions = cp.campaign_filters(status, channel, owner_id, phase, day)
        return cp.CAMPAIGNS.page(services.read_side, conditions, paging, position, today=day)

    @get("/{campaign_id:uuid}", guards=[requires(READ)], sync_to_thread=True)
    def get_campaign(self, services: Svc, campaign_id: Id, read_point: ReadAt, today: Today = None) -> Any:
        """One campaign from the register."""
        position = read_at(services, read_point, "campaigns")
        found = cp.CAMPAIGNS.one(services.read_side, str(campaign_id), position, today=business_day(today))
        if found is None:
            raise NotFound(f"campaign {campaign_id} not found")
        return found

    @get("/contacts", guards=[requires(READ)], sync_to_thread=True)
    def contacts(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        campaign_id: FromQuery[UUID | None] = None,
        customer_id: FromQuery[UUID | None] = None,
        outcome: FromQuery[Outcome | None] = None,
    ) -> Any:
        """The contacts made in campaigns, in the order they were recorded (default); of one campaign, one
        customer or one outcome."""
        position = read_at(services, read_point, "campaigns")
        conditions = cp.contact_filters(campaign_id, customer_id, outcome)
        return cp.CONTACTS.page(services.read_side, conditions, paging, position)

    @get("/applications", guards=[requires(READ)], sync_to_thread=True)
    def applications(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        campaign_id: FromQuery[UUID | None] = None,
        customer_id: FromQuery[UUID | None] = None,
    ) -> Any:
        """The applications linked to campaigns, in the order they were linked (default); of one campaign or one
        customer."""
        position = read_at(services, read_point, "campaigns")
        conditions = cp.link_filters(campaign_id, customer_id)
        return cp.LINKED.page(services.read_side, conditions, paging, position)

    @get("/{campaign_id:uuid}/history", guards=[requires(READ)], sync_to_thread=True)
    def history(self, services: Svc, campaign_id: Id, read_point: ReadAt) -> HistoryView:
        """Every event of the campaign in order, with its audit metadata (SPEC §2)."""
        return history_view(services, campaign_id, read_point, Campaign.Event, "campaign")
