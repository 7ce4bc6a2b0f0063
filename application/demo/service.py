"""Demo after-sales service (guide ch. 8): complaints by category through their clocks (on time,
extended, especially complex, breached, paused for an external appraisal, escalated, reopened, repeated
and linked), improvement actions, service requests (one of them a beneficiary change), and satisfaction
surveys. Each step is a command of application.commands (complaints, service_requests, customers).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Concatenate, ParamSpec
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.commands import complaints as complaints
from application.commands import customers as customers
from application.commands import policy_servicing as servicing
from application.commands import service_requests as service_requests
from application.context import CommandContext
from application.demo.people import Party
from application.demo.world import COMPLAINTS_MANAGER, STAFF, World
from domain import clock
from domain.policy.aggregate import Policy

P = ParamSpec("P")
CHANNELS = ("phone", "online", "letter", "visit", "regulator_transfer")
CONTENT = {
    "sales": "销售人员未充分说明保险责任和免责条款",
    "underwriting": "核保时间过长且未说明加费原因",
    "premium": "自动扣款重复扣费",
    "claims": "理赔结论不合理，拒赔理由不清楚",
    "service": "客服电话长时间无人接听",
    "other": "保单邮寄地址错误",
}
PATHS = ("on-time", "extended", "breached", "appraisal", "escalated", "especially-complex")
WEIGHTS = (70, 12, 6, 4, 5, 3)


def survey(world: World, party: Party, related_id: str | None, mood: int) -> None:
    """满意度调查 (8.3.1): scores around `mood` (1–5)."""
    if party.id is None:
        return
    score = {
        key: max(1, min(5, mood + world.rng.choice((-1, 0, 0, 1))))
        for key in ("attitude", "speed", "quality", "claims_convenience")
    }
    done = world.attempt(
        "survey",
        customers.record_satisfaction_survey,
        world.app,
        world.ctx("agent"),
        party.id,
        comment="" if world.chance(0.7) else "希望服务更及时",
        related_id=related_id,
        **score,
    )
    if done is not None:
        world.paths["survey"] += 1


def complaint(
    world: World,
    party: Party,
    category: str,
    policy_id: UUID | None = None,
    claim_id: UUID | None = None,
    repeat_of: UUID | None = None,
) -> None:
    """A complaint on receipt (8.2.1 (1)–(2)), then its handling on the agenda."""
    if party.id is None:
        return
    fields: dict[str, Any] = {
        "channel": world.rng.choices(CHANNELS, weights=(50, 25, 8, 12, 5))[0],
        "complainant": {"customer_id": str(party.id), "name": party.name, "contact": party.contact},
        "content": CONTENT[category] if repeat_of is None else "同一事项再次投诉：" + CONTENT[category],
        "category": category,
        "received_at": clock.now(),
        "recording_ref": f"REC-{world.rng.randrange(10**8):08d}",
        "related_policy_id": None if policy_id is None else str(policy_id),
        "related_claim_id": None if claim_id is None else str(claim_id),
    }
    if repeat_of is not None:
        fields.update(repeat_of=str(repeat_of), new_facts=False)
    done = world.attempt("receive_complaint", complaints.receive, world.app, world.ctx("complaints_officer"), **fields)
    if done is None:
        return
    case = ComplaintCase(world, party, UUID(done.id), category)
    world.complaints.append(case.id)
    if repeat_of is not None:  # linked to the first: the complainant is told it is handled there
        world.paths["complaint:repeat-linked"] += 1
        world.later(world.days(1, 3), case.feedback)
        return
    world.paths[f"complaint-category:{category}"] += 1
    world.later(world.days(0, 1), case.assign)


class ComplaintCase:
    """One complaint's handling (8.2.1 (3)–(6)) by one officer."""

    def __init__(self, world: World, party: Party, complaint_id: UUID, category: str) -> None:
        self.world, self.party, self.id, self.category = world, party, complaint_id, category
        self.officer = world.rng.choice(STAFF["complaints_officer"])
        self.path = world.pick("complaint-path", PATHS, WEIGHTS)
        self.received = world.day

    def act(
        self,
        command: Callable[Concatenate[InscribeApplication, CommandContext, UUID, date, P], CommandResult],
        *args: P.args,
        **arguments: P.kwargs,
    ) -> bool:
        """Run a complaint command by the case's officer, dated the day it runs; False if refused."""
        w = self.world
        ctx = w.ctx("complaints_officer", self.officer)
        return w.attempt(command.__name__, command, w.app, ctx, self.id, w.day, *args, **arguments) is not None

    def at(self, days: int, step: Any, *args: Any, **kwargs: Any) -> None:
        self.world.at(self.received + timedelta(days=days), step, *args, **kwargs)

    def assign(self) -> None:
        w = self.world
        if not (self.act(complaints.assign, responsible_id=self.officer) and self.act(complaints.start_investigation)):
            return
        w.later(
            w.days(1, 3),
            self.act,
            complaints.add_note,
            note="called the complainant and reviewed the file",
            author_id=self.officer,
        )
        days = w.days
        if self.path == "extended":
            self.at(
                days(10, 13),
                self.act,
                complaints.extend,
                kind="complex",
                reason="records needed from another department",
            )
            self.at(days(16, 29), self.resolve)
        elif self.path == "especially-complex":
            self.at(13, self.extend_twice)
            self.at(days(35, 55), self.resolve)
        elif self.path == "breached":
            self.at(days(17, 25), self.resolve)  # no extension: the scheduler records the breach on day 16
        elif self.path == "appraisal":
            self.at(days(5, 8), self.appraisal)
        elif self.path == "escalated":
            self.at(days(2, 4), self.escalate)
        else:
            self.at(days(3, 13), self.resolve)

    def extend_twice(self) -> None:
        if self.act(complaints.extend, kind="complex", reason="several policies involved"):
            day = self.received + timedelta(days=27)
            self.at(27, self.manager_extends, day)

    def manager_extends(self, notified_on: date) -> None:
        """The especially complex extension: approved (and so sent) by the complaints manager."""
        w = self.world
        w.attempt(
            "extend",
            complaints.extend,
            w.app,
            w.ctx("complaints_manager", COMPLAINTS_MANAGER),
            self.id,
            w.day,
            kind="especially_complex",
            reason="an outside expert opinion is needed",
            approved_by=COMPLAINTS_MANAGER,
            complainant_notified_on=notified_on,
        )

    def appraisal(self) -> None:
        w = self.world
        if self.act(complaints.start_external_appraisal, complainant_told_on=w.day):
            w.later(w.days(7, 12), self.end_appraisal)

    def end_appraisal(self) -> None:
        w = self.world
        if self.act(complaints.end_external_appraisal):
            w.later(w.days(2, 6), self.resolve)

    def escalate(self) -> None:
        w = self.world
        if self.act(complaints.escalate, to=COMPLAINTS_MANAGER, reason="the complainant asked for a manager"):
            self.officer = COMPLAINTS_MANAGER
            if self.act(complaints.assign, responsible_id=COMPLAINTS_MANAGER) and self.act(
                complaints.start_investigation
            ):
                w.later(w.days(4, 9), self.resolve)

    def resolve(self, outcome: str | None = None) -> None:
        w = self.world
        outcome = outcome or w.rng.choices(("upheld", "partly_upheld", "not_upheld"), weights=(35, 25, 40))[0]
        upheld = outcome != "not_upheld"
        if not self.act(
            complaints.resolve,
            outcome=outcome,
            measures=["corrected the record and explained the terms"] if upheld else [],
            compensation=str(w.rng.choice((0, 0, 200, 500, 1000))) if upheld else "0",
            apology=upheld,
        ):
            return
        w.paths["complaint:resolved"] += 1
        if outcome == "upheld" and w.chance(0.4):
            action = f"IA-{self.id.hex[:8]}-{w.day:%y%m%d}"
            due = w.day + timedelta(days=w.days(30, 60))
            if self.act(
                complaints.add_improvement_action,
                description="retrain the team on this point",
                owner_id=self.officer,
                due_on=due,
                action_id=action,
            ):
                w.at(due - timedelta(days=w.days(0, 10)), self.complete_action, action)
        w.later(w.days(1, 3), self.feedback, outcome)

    def complete_action(self, action: str) -> None:
        w = self.world
        if self.act(complaints.complete_improvement_action, action_id=action, result="done and checked"):
            w.paths["complaint:improvement-done"] += 1

    def feedback(self, outcome: str | None = None) -> None:
        w = self.world
        if not self.act(
            complaints.give_feedback,
            channel=w.rng.choice(("phone", "sms", "email", "letter")),
            summary="told the complainant the result and the reasons",
        ):
            return
        if outcome is None:  # a linked repeat: filed with the first
            w.later(w.days(1, 5), self.archive)
            return
        satisfied = w.chance({"upheld": 0.85, "partly_upheld": 0.7, "not_upheld": 0.45}[outcome])
        w.later(w.days(0, 5), self.respond, satisfied)

    def respond(self, satisfied: bool) -> None:
        w = self.world
        if not self.act(complaints.record_response, satisfied=satisfied, comment="" if satisfied else "仍不满意"):
            return
        then = "archive" if satisfied else w.pick("unsatisfied", ("reopen", "repeat", "archive"), (40, 25, 35))
        if then == "reopen":
            w.later(w.days(1, 5), self.reopen)
            return
        if then == "repeat":
            w.later(w.days(3, 20), complaint, w, self.party, self.category, None, None, self.id)
        w.later(w.days(2, 10), self.archive)
        if satisfied and w.chance(0.3):
            w.later(w.days(3, 10), survey, w, self.party, str(self.id), 4)

    def archive(self) -> None:
        if self.act(complaints.archive):
            self.world.paths["complaint:archived"] += 1

    def reopen(self) -> None:
        w = self.world
        if self.act(complaints.reopen, reason="the complainant brought further evidence") and self.act(
            complaints.start_investigation
        ):
            w.paths["complaint:reopened"] += 1
            w.later(w.days(3, 12), self.resolve, "partly_upheld")


# -- service requests (8.1) -----------------------------------------------------------------------------


class RequestStep:
    """A step on one service request by one staff member, dated the day it runs."""

    def __init__(self, world: World, request_id: UUID, staff: str) -> None:
        self.world, self.request_id, self.staff = world, request_id, staff

    def __call__(
        self,
        command: Callable[Concatenate[InscribeApplication, CommandContext, UUID, date, P], CommandResult],
        *args: P.args,
        **arguments: P.kwargs,
    ) -> bool:
        w = self.world
        ctx = w.ctx("agent", self.staff)
        return w.attempt(command.__name__, command, w.app, ctx, self.request_id, w.day, *args, **arguments) is not None


def service_request(world: World, party: Party, kind: str, policy_id: UUID | None = None) -> None:
    if party.id is None:
        return
    done = world.attempt(
        "open_request",
        service_requests.open_request,
        world.app,
        world.ctx("agent"),
        customer_id=str(party.id),
        kind=kind,
        description=f"{kind.replace('_', ' ')} requested",
        channel=world.rng.choice(("phone", "online", "app", "counter")),
        policy_id=None if policy_id is None else str(policy_id),
        requested_at=clock.now(),
    )
    if done is None:
        return
    world.requests.append(UUID(done.id))
    world.paths[f"service:{kind}"] += 1
    world.later(world.days(0, 1), _handle_request, world, party, UUID(done.id), kind, policy_id)


def _handle_request(world: World, party: Party, request_id: UUID, kind: str, policy_id: UUID | None) -> None:
    staff = world.rng.choice(STAFF["agent"])

    step = RequestStep(world, request_id, staff)
    if not (step(service_requests.assign, staff_id=staff) and step(service_requests.start)):
        return
    if world.chance(0.08):
        world.later(world.days(1, 5), step, service_requests.cancel, reason="the customer withdrew the request")
        return
    if kind == "contract_change" and policy_id is not None:
        world.later(world.days(1, 5), _change_beneficiary, world, party, policy_id, step)
        return
    step(service_requests.add_update, note="collected the customer's documents", author_id=staff)
    world.later(world.days(1, 10), step, service_requests.complete, resolution="done as requested")


def _change_beneficiary(world: World, party: Party, policy_id: UUID, step: RequestStep) -> None:
    """5.3: a beneficiary change by written agreement, effective the day it is agreed."""
    policy = world.app.load(Policy, policy_id)
    if policy.status not in ("in_force", "lapsed"):
        step(service_requests.complete, resolution="the policy has ended: nothing to change")
        return
    beneficiaries = [{"name": "子女", "share": "60"}, {"name": "配偶", "share": "40"}]
    document = f"CHG-{world.rng.randrange(10**6):06d}"
    # Art. 41: a parent insuring a child changes the beneficiaries with the insured's written consent
    consent = None if policy.applicant_id == policy.insured_id else f"CONSENT-{document}"
    changed = world.attempt(
        "change",
        servicing.change,
        world.app,
        world.ctx("agent"),
        policy_id,
        world.day,
        kind="beneficiary",
        details={"beneficiaries": beneficiaries},
        document_ref=document,
        effective_on=world.day,
        insured_consent_document=consent,
    )
    if changed is not None:
        world.paths["policy:beneficiary-changed"] += 1
    step(service_requests.complete, resolution="beneficiaries changed as agreed in writing")
