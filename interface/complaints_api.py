"""The complaint API (投诉, SPEC §7) and the service request API (售后服务, guide 8.1): commands."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application.commands import complaints as commands
from application.commands import service_requests as requests
from domain import clock
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.complaint_queries_api import ComplaintQueries, ServiceRequestQueries
from interface.complaint_schemas import (
    ActionDoneIn,
    ActionIn,
    AppraisalIn,
    AssignIn,
    ComplaintIn,
    CompleteIn,
    DecisionNoticeIn,
    EscalateIn,
    ExtendIn,
    FeedbackIn,
    NoteIn,
    On,
    ReasonIn,
    ResolveIn,
    ResponseIn,
    ServiceRequestIn,
    StaffIn,
    UpdateIn,
)
from interface.http import CommandAnswer, answer, business_day, command_context

Req = Request[Principal, Any, Any]
Svc = NamedDependency[Services]
Id = FromPath[UUID]


class ComplaintCommands(Controller):
    """Commands on complaints. Each answers id, version and position; If-Match and Idempotency-Key apply."""

    path = "/api/v1/complaints"
    tags = ["complaints"]

    @post("/", guards=[requires("complaints.receive")], sync_to_thread=True, status_code=201)
    def receive(self, request: Req, services: Svc, data: JSONBody[ComplaintIn]) -> CommandAnswer:
        """Register a complaint on receipt; the 15-day clock starts on the day received (China time)."""
        ctx = command_context(request, data)
        return answer(
            commands.receive(
                services.app,
                ctx,
                channel=data.channel,
                complainant=data.complainant.model_dump(),
                content=data.content,
                category=data.category,
                received_at=data.received_at or clock.now(),
                recording_ref=data.recording_ref,
                related_policy_id=data.related_policy_id,
                related_claim_id=data.related_claim_id,
                repeat_of=data.repeat_of,
                new_facts=data.new_facts,
            )
        )

    @post(
        "/{complaint_id:uuid}/assignment", guards=[requires("complaints.handle")], sync_to_thread=True, status_code=200
    )
    def assign(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[AssignIn]) -> CommandAnswer:
        """Assign the complaint to a responsible person (SPEC §7, guide 8.2.1 (2))."""
        ctx = command_context(request, data)
        return answer(
            commands.assign(services.app, ctx, complaint_id, business_day(data.on), responsible_id=data.responsible_id)
        )

    @post(
        "/{complaint_id:uuid}/investigation",
        guards=[requires("complaints.handle")],
        sync_to_thread=True,
        status_code=200,
    )
    def investigate(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """Start the investigation of the complaint (SPEC §7, guide 8.2.1 (3))."""
        ctx = command_context(request, data)
        return answer(commands.start_investigation(services.app, ctx, complaint_id, business_day(data.on)))

    @post("/{complaint_id:uuid}/notes", guards=[requires("complaints.handle")], sync_to_thread=True, status_code=200)
    def note(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[NoteIn]) -> CommandAnswer:
        """An investigation note by the caller (SPEC §7, guide 8.2.1 (3))."""
        ctx = command_context(request, data)
        return answer(
            commands.add_note(
                services.app, ctx, complaint_id, business_day(data.on), note=data.note, author_id=request.user.sub
            )
        )

    @post(
        "/{complaint_id:uuid}/escalation", guards=[requires("complaints.handle")], sync_to_thread=True, status_code=200
    )
    def escalate(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[EscalateIn]) -> CommandAnswer:
        """Escalate the complaint to a higher level, with a reason (SPEC §7)."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(
            commands.escalate(services.app, ctx, complaint_id, business_day(data.on), to=data.to, reason=data.reason)
        )

    @post(
        "/{complaint_id:uuid}/extensions", guards=[requires("complaints.handle")], sync_to_thread=True, status_code=200
    )
    def extend(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[ExtendIn]) -> CommandAnswer:
        """Extend the deadline: complex (30 days), then especially complex (60, notice to the complainant,
        and a manager's approval: sent by a `complaints_manager` or `admin`, who is the approver unless
        `approved_by` names one; another role gets 403 `insufficient-authority`). Each at most once."""
        day = business_day(data.on)
        ctx = command_context(request, data, reason=data.reason)
        return answer(
            commands.extend(
                services.app,
                ctx,
                complaint_id,
                day,
                kind=data.kind,
                reason=data.reason,
                approved_by=data.approved_by,
                complainant_notified_on=data.complainant_notified_on,
            )
        )

    @post(
        "/{complaint_id:uuid}/appraisals", guards=[requires("complaints.handle")], sync_to_thread=True, status_code=200
    )
    def start_appraisal(
        self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[AppraisalIn]
    ) -> CommandAnswer:
        """An external appraisal starts: its days do not count once the complainant has been told."""
        ctx = command_context(request, data)
        return answer(
            commands.start_external_appraisal(
                services.app, ctx, complaint_id, business_day(data.on), complainant_told_on=data.complainant_told_on
            )
        )

    @post(
        "/{complaint_id:uuid}/appraisal-end",
        guards=[requires("complaints.handle")],
        sync_to_thread=True,
        status_code=200,
    )
    def end_appraisal(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """The external appraisal ends: the clock runs again, the deadline moved by the paused days."""
        ctx = command_context(request, data)
        return answer(commands.end_external_appraisal(services.app, ctx, complaint_id, business_day(data.on)))

    @post(
        "/{complaint_id:uuid}/resolution", guards=[requires("complaints.handle")], sync_to_thread=True, status_code=200
    )
    def resolve(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[ResolveIn]) -> CommandAnswer:
        """The decision (8.2.1 (4)): upheld, partly upheld or not upheld; measures, compensation, apology."""
        ctx = command_context(request, data)
        return answer(
            commands.resolve(
                services.app,
                ctx,
                complaint_id,
                business_day(data.decided_on),
                outcome=data.outcome,
                measures=data.measures,
                compensation=data.compensation,
                apology=data.apology,
            )
        )

    @post(
        "/{complaint_id:uuid}/decision-notice",
        guards=[requires("complaints.handle")],
        sync_to_thread=True,
        status_code=200,
    )
    def decision_notice(
        self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[DecisionNoticeIn]
    ) -> CommandAnswer:
        """The complainant was told of the decision (Art. 21), on a day and by a channel: the clock stops
        here, and the deadline is met only if this is on or before it (`decision-already-notified` once told;
        feedback on a decision not yet notified is also its notice)."""
        ctx = command_context(request, data)
        return answer(
            commands.notify_decision(services.app, ctx, complaint_id, business_day(data.on), channel=data.channel)
        )

    @post("/{complaint_id:uuid}/feedback", guards=[requires("complaints.handle")], sync_to_thread=True, status_code=200)
    def feedback(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[FeedbackIn]) -> CommandAnswer:
        """Feedback to the complainant and their response, satisfied or not (SPEC §7, guide 8.2.1 (5))."""
        ctx = command_context(request, data)
        return answer(
            commands.give_feedback(
                services.app, ctx, complaint_id, business_day(data.on), channel=data.channel, summary=data.summary
            )
        )

    @post("/{complaint_id:uuid}/response", guards=[requires("complaints.handle")], sync_to_thread=True, status_code=200)
    def response(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[ResponseIn]) -> CommandAnswer:
        """The complainant's response to the feedback: satisfied or not."""
        ctx = command_context(request, data)
        return answer(
            commands.record_response(
                services.app, ctx, complaint_id, business_day(data.on), satisfied=data.satisfied, comment=data.comment
            )
        )

    @post(
        "/{complaint_id:uuid}/improvement-actions",
        guards=[requires("complaints.handle")],
        sync_to_thread=True,
        status_code=200,
    )
    def add_action(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[ActionIn]) -> CommandAnswer:
        """An improvement action with owner and due date (8.2.2 (5))."""
        ctx = command_context(request, data)
        return answer(
            commands.add_improvement_action(
                services.app,
                ctx,
                complaint_id,
                business_day(data.on),
                description=data.description,
                owner_id=data.owner_id,
                due_on=data.due_on,
            )
        )

    @post(
        "/{complaint_id:uuid}/improvement-actions/{action_id:str}/completion",
        guards=[requires("complaints.handle")],
        sync_to_thread=True,
        status_code=200,
    )
    def complete_action(
        self, request: Req, services: Svc, complaint_id: Id, action_id: FromPath[str], data: JSONBody[ActionDoneIn]
    ) -> CommandAnswer:
        """An improvement action is done (SPEC §7, guide 8.2.2 (5))."""
        ctx = command_context(request, data)
        return answer(
            commands.complete_improvement_action(
                services.app,
                ctx,
                complaint_id,
                business_day(data.completed_on),
                action_id=action_id,
                result=data.result,
            )
        )

    @post(
        "/{complaint_id:uuid}/reopening", guards=[requires("complaints.handle")], sync_to_thread=True, status_code=200
    )
    def reopen(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[ReasonIn]) -> CommandAnswer:
        """Reopen with a reason: a new 15-day round starts (SPEC §7; 《银行业保险业消费投诉处理管理办法》 Art. 21)."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(commands.reopen(services.app, ctx, complaint_id, business_day(data.on), reason=data.reason))

    @post("/{complaint_id:uuid}/archive", guards=[requires("complaints.handle")], sync_to_thread=True, status_code=200)
    def archive(self, request: Req, services: Svc, complaint_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """Archive the complaint (SPEC §7, guide 8.2.1 (6)); refused until feedback has been given."""
        ctx = command_context(request, data)
        return answer(commands.archive(services.app, ctx, complaint_id, business_day(data.on)))


class ServiceRequestCommands(Controller):
    """After-sales service requests (8.1): consultation, contract change, renewal help, claim help."""

    path = "/api/v1/service-requests"
    tags = ["service"]

    @post("/", guards=[requires("service.handle")], sync_to_thread=True, status_code=201)
    def open(self, request: Req, services: Svc, data: JSONBody[ServiceRequestIn]) -> CommandAnswer:
        """Open a service request (售后服务, guide 8.1) for a registered customer."""
        ctx = command_context(request, data)
        return answer(
            requests.open_request(
                services.app,
                ctx,
                customer_id=data.customer_id,
                kind=data.kind,
                description=data.description,
                channel=data.channel,
                policy_id=data.policy_id,
                requested_at=data.requested_at,
            )
        )

    @post("/{request_id:uuid}/assignment", guards=[requires("service.handle")], sync_to_thread=True, status_code=200)
    def assign(self, request: Req, services: Svc, request_id: Id, data: JSONBody[StaffIn]) -> CommandAnswer:
        """Assign the service request to a staff member (guide 8.1)."""
        ctx = command_context(request, data)
        return answer(requests.assign(services.app, ctx, request_id, business_day(data.on), staff_id=data.staff_id))

    @post("/{request_id:uuid}/start", guards=[requires("service.handle")], sync_to_thread=True, status_code=200)
    def start(self, request: Req, services: Svc, request_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """Work on the service request starts (guide 8.1)."""
        ctx = command_context(request, data)
        return answer(requests.start(services.app, ctx, request_id, business_day(data.on)))

    @post("/{request_id:uuid}/updates", guards=[requires("service.handle")], sync_to_thread=True, status_code=200)
    def update(self, request: Req, services: Svc, request_id: Id, data: JSONBody[UpdateIn]) -> CommandAnswer:
        """A progress note on the service request by the caller (guide 8.1)."""
        ctx = command_context(request, data)
        return answer(
            requests.add_update(
                services.app, ctx, request_id, business_day(data.on), note=data.note, author_id=request.user.sub
            )
        )

    @post("/{request_id:uuid}/completion", guards=[requires("service.handle")], sync_to_thread=True, status_code=200)
    def complete(self, request: Req, services: Svc, request_id: Id, data: JSONBody[CompleteIn]) -> CommandAnswer:
        """Complete the service request, with the resolution (guide 8.1)."""
        ctx = command_context(request, data)
        return answer(
            requests.complete(services.app, ctx, request_id, business_day(data.on), resolution=data.resolution)
        )

    @post("/{request_id:uuid}/cancellation", guards=[requires("service.handle")], sync_to_thread=True, status_code=200)
    def cancel(self, request: Req, services: Svc, request_id: Id, data: JSONBody[ReasonIn]) -> CommandAnswer:
        """Cancel the service request, with a reason (guide 8.1)."""
        ctx = command_context(request, data)
        return answer(requests.cancel(services.app, ctx, request_id, business_day(data.on), reason=data.reason))


class ComplaintController(ComplaintCommands, ComplaintQueries):
    """Complaint commands and queries share one path."""


class ServiceRequestController(ServiceRequestCommands, ServiceRequestQueries):
    """Service request commands and queries share one path."""
