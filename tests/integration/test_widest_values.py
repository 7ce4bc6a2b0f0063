"""Whatever a command accepts, every projection can store (SPEC §10), on SQLite and PostgreSQL.

The widest values the commands accept — text at its limit made of characters that grow under casefold
("ß" → "ss", "ﬃ" → "ffi", "ΐ" → three) or take 4 bytes ("𝔘"), the largest amounts, the longest bounded
ids and headers — go through the real commands that feed each projection; the read side then reaches
the head of the log in every projection and the rows show the values.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from application.commands import bundles as bundle_commands
from application.commands import campaigns as campaign_commands
from application.commands import claims as claims
from application.commands import complaints as complaints
from application.commands import customers as customers_commands
from application.commands import examinations as examinations
from application.commands import improvement as improvement
from application.commands import policies as policies
from application.commands import policy_servicing as servicing
from application.commands import products as product_commands
from application.commands import risks as risk_commands
from application.commands import service_requests as requests
from application.commands.customers import register_enterprise, register_individual
from application.context import CommandContext
from domain import clock
from domain.campaign.rules import TARGETS
from domain.improvement.rules import Scope
from domain.policy.aggregate import Policy
from domain.product.catalogue import shipped_files
from domain.values import MAX_MONEY
from projections.audit_log import audit_log
from projections.bundles import bundles as bundles_table
from projections.campaigns import campaign_applications, campaign_contacts, campaigns
from projections.claims import claim_flags
from projections.claims import claims as claims_table
from projections.complaints import complaints as complaints_table
from projections.customers import customers
from projections.improvement_plans import improvement_plan_actions, improvement_plans
from projections.policies import policies as policies_table
from projections.premiums import premium_payments
from projections.products import product_versions
from projections.reinsurance_tables import policy_cessions, reinsurance_entries, reinsurance_treaties
from projections.risks import risk_alerts, risks
from projections.service_requests import service_requests
from projections.surveys import satisfaction_surveys
from projections.underwriting import underwriting_decisions
from tests.builders.common import enterprise, individual
from tests.builders.reinsurance import widest_treaties

#: Characters that NFC keeps and casefold expands (up to 3), or that take 4 bytes in UTF-8.
WIDE = ["ß", "ﬃ", "ΐ", "𝔘", "İ", "ŉ", "张"]
TOP = f"{MAX_MONEY:.2f}"  # 1000000000000.00
ON = date(2026, 1, 5)
_commands = itertools.count(1)


def repeated(alphabet: list[str], length: int) -> st.SearchStrategy[str]:
    """Text of exactly `length` characters: a short drawn pattern, repeated."""
    return st.lists(st.sampled_from(alphabet), min_size=1, max_size=8).map(
        lambda pattern: ("".join(pattern) * length)[:length]
    )


def wide(length: int) -> st.SearchStrategy[str]:
    """Text of exactly `length` characters as stored, drawn from WIDE; at least every eighth grows under
    casefold (a pattern starts with "ß")."""
    return st.lists(st.sampled_from(WIDE), max_size=7).map(lambda rest: ("".join(["ß", *rest]) * length)[:length])


def context(role: str, reason: str, header: str) -> CommandContext:
    """A command's context with the longest ids its headers may carry (200 characters)."""
    key = f"{next(_commands):08d}".ljust(200, "k")
    return CommandContext(
        actor_id="a" * 200,
        actor_role=role,
        command_id=key,
        correlation_id=header,
        causation_id=header[::-1],
        reason=reason,
    )


@pytest.fixture(autouse=True)
def today_is_the_twentieth_of_november_2026() -> Iterator[None]:
    with clock.using(clock.SimulatedClock(datetime(2026, 11, 20, 2, tzinfo=UTC))):
        yield


def current(conn: Any, table: Any, key: str, value: Any) -> dict[str, Any]:
    row = conn.execute(select(table).where(table.c[key] == str(value), table.c.valid_to.is_(None))).mappings().one()
    return dict(row)


@settings(
    max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    name=wide(200),
    short=wide(100),
    fifty=wide(50),
    contact=wide(500),
    reason=wide(1000),
    detail=wide(2000),
    long=wide(5000),
    header=repeated(list("abcXYZ0189-_.:"), 200),
)
def test_the_widest_accepted_values_reach_every_projection(
    services: Any, name: str, short: str, fifty: str, contact: str, reason: str, detail: str, long: str, header: str
) -> None:
    app, seed = services.app, next(_commands) * 1000

    def ctx(role: str = "agent") -> CommandContext:
        return context(role, reason, header)

    person = register_individual(
        app,
        ctx(),
        **individual(
            seed, name=name, occupation=short, annual_income=TOP, contacts={"phone": "13800138000", "address": contact}
        ),
    )
    firm = register_enterprise(
        app,
        ctx(),
        **enterprise(
            seed + 1, name=name, industry=short, contact_person=short, annual_revenue=TOP, contacts={"address": contact}
        ),
    )
    holder = UUID(person.id)
    services.read_side.catch_up()

    product = app.catalogue.get("home_property")
    clean = {q.id: not q.adverse for q in product.disclosure_questions}

    def apply_for_home(disclosures: dict[str, bool]) -> UUID:
        applied = policies.apply_for_policy(
            app,
            ctx(),
            applicant_id=holder,
            insured_id=holder,
            relationship="owner",
            product_code="home_property",
            sum_insured="800000",
            declared_property_value="1000000",
            term_months=12,
            premium_mode="annual",
            disclosures=disclosures,
            channel=fifty,
            agent_id=short,
            applied_on=ON,
        )
        return UUID(applied.id)

    # 6.1.1 (6): the widest treaties over every line, twenty reinsurers of the widest names: the policy ceded under them
    treaties, reinsurers = widest_treaties(app, lambda: ctx("reinsurance"), name, short, TOP)
    policy_id = apply_for_home(clean)
    installment = app.load(Policy, policy_id).installment
    servicing.pay_premium(app, ctx(), policy_id, ON, amount=installment, reference=short)
    services.read_side.catch_up()
    # a referred application (a prior loss disclosed), surveyed: the widest order and report
    surveyed = apply_for_home({**clean, "prior_losses": True})
    examinations.order_examination(app, ctx("underwriter"), surveyed, ON, "property_survey", reason)
    examinations.report_examination(
        app,
        ctx("underwriter"),
        surveyed,
        ON,
        1,
        examiner=name,
        examined_on=ON,
        result="conditions",
        summary=detail,
        loading_pct="500",
        exclusions=[name] * 50,
    )

    reported = claims.report(
        app,
        ctx("claims_handler"),
        policy_id=policy_id,
        claimant_id=holder,
        claimant_role="insured",
        loss_date=date(2026, 3, 1),
        cause=short,
        description=long,
        estimated_amount=TOP,
        initial_reserve=TOP,
        reported_on=date(2026, 3, 2),
    )
    claim_id = UUID(reported.id)
    claims.raise_fraud_flag(app, ctx("claims_handler"), claim_id, date(2026, 3, 3), indicator=short, detail=detail)
    received = complaints.receive(
        app,
        ctx("complaints_officer"),
        channel="phone",
        complainant={"name": name, "contact": contact},
        content=long,
        category="claims",
        received_at=clock.now(),
        recording_ref=name,
        related_policy_id=str(policy_id),
        related_claim_id=str(claim_id),
    )
    opened = requests.open_request(
        app,
        ctx(),
        customer_id=str(holder),
        kind="contract_change",
        description=long,
        channel="phone",
        policy_id=str(policy_id),
    )

    # 8.3: surveys about the policy (sold by the widest channel) and about the widest reference; a plan on them
    for related in (str(policy_id), short):
        customers_commands.record_satisfaction_survey(
            app, ctx(), holder, attitude=1, speed=5, quality=1, claims_convenience=5, comment=detail, related_id=related
        )
    services.read_side.catch_up()
    scope = Scope("speed", date(2026, 11, 1), date(2026, 11, 20), None, fifty)
    plan = improvement.raise_plan(
        app, ctx("service_manager"), scope=scope, title=name, finding=detail, owner_id=short, on=date(2026, 11, 21)
    )
    plan_id = UUID(plan.id)
    improvement.add_action(
        app,
        ctx("service_manager"),
        plan_id,
        date(2026, 11, 21),
        description=reason,
        owner_id=short,
        due_on=date(9999, 12, 31),
    )
    improvement.complete_action(app, ctx("service_manager"), plan_id, date(2026, 11, 22), no=1, note=detail)
    services.read_side.catch_up()  # the follow-up measures the analysis at the head of the log
    improvement.measure_follow_up(
        app,
        ctx("service_manager"),
        plan_id,
        date(2026, 11, 23),
        period_from=date(2026, 11, 21),
        period_to=date(2026, 11, 22),
    )
    improvement.close(app, ctx("service_manager"), plan_id, date(2026, 11, 23), conclusion=detail)
    # ch. 9: the widest risk, and an indicator at the largest threshold of the widest owner, its alert acknowledged
    identified = risk_commands.identify(
        app,
        ctx("risk_officer"),
        category="fraud",
        title=name,
        description=detail,
        likelihood=5,
        impact=5,
        owner_id=short,
        controls=[contact] * 50,
        review_on=date(9999, 12, 31),
        on=ON,
    )
    risk_commands.review(
        app, ctx("risk_officer"), UUID(identified.id), ON, note=detail, next_review_on=date(9999, 12, 30)
    )
    defined = risk_commands.define_indicator(
        app,
        ctx("risk_officer"),
        metric="satisfaction_average",
        line=None,
        threshold="1000000.00",
        owner_id=short,
        on=date(2026, 10, 1),
        risk_id=identified.id,
    )
    services.read_side.catch_up()
    risk_commands.measure(app, ctx("risk_officer"), UUID(defined.id), date(2026, 12, 1))  # November: below, an alert
    risk_commands.acknowledge(app, ctx("risk_officer"), UUID(defined.id), date(2026, 12, 2), alert_no=1, note=detail)

    # 2.1 (5): the widest campaign over every segment, the holder contacted by the widest staff id, their policy linked
    customers_commands.assign_segment(app, ctx(), holder, segment="high_net_worth", basis=contact)
    customers_commands.give_consent(app, ctx(), holder, purpose="marketing")
    planned = campaign_commands.plan(
        app,
        ctx("marketing"),
        name=name,
        objective=detail,
        segments=list(TARGETS),
        channel="event",
        product_codes=["home_property"],
        starts_on=ON,
        ends_on=date(2027, 1, 5),
        owner_id=short,
        on=ON,
    )
    campaign_id = UUID(planned.id)
    campaign_commands.contact(app, ctx(), campaign_id, ON, customer_id=holder, outcome="interested", staff_id=short)
    campaign_commands.link_application(app, ctx("marketing"), campaign_id, ON, policy_id=policy_id)
    campaign_commands.close(app, ctx("marketing"), campaign_id, ON, reason=detail)
    # 3.3: a bundle of two homes through the widest channel by the widest agent id
    home = {
        "insured_id": holder,
        "relationship": "owner",
        "product_code": "home_property",
        "sum_insured": "800000",
        "declared_property_value": "1000000",
        "term_months": 12,
        "premium_mode": "annual",
        "disclosures": clean,
    }
    bundled = bundle_commands.propose(
        app, ctx(), applicant_id=holder, items=[home, home], channel=fifty, agent_id=short, applied_on=ON
    )
    # 3.2: a product version whose names are the widest text, drafted and checked (its names too long: a finding)
    version = 1 + seed // 1000  # (a new version each example: numbered above the last)
    widest = {**json.loads(dict(shipped_files())["term_life.v1.json"]), "version": version, "name_zh": long}
    product_commands.draft(app, ctx("product_manager"), ON, definition=json.dumps(widest), staff_id=short)
    product_commands.check(app, ctx("product_manager"), "term_life", version, ON, staff_id=short)
    services.read_side.catch_up()

    head = services.read_side.head()
    assert services.read_side.positions() == dict.fromkeys(services.read_side.positions(), head)
    with services.read_side.engine.connect() as conn:
        shown = current(conn, customers, "customer_id", holder)
        assert (shown["name"], shown["name_folded"], shown["occupation"]) == (name, name.casefold(), short)
        assert shown["contacts"]["address"] == contact
        assert Decimal(shown["profile"]["annual_income"]) == MAX_MONEY
        company = current(conn, customers, "customer_id", firm.id)
        assert (company["name_folded"], company["industry"]) == (name.casefold(), short)
        assert Decimal(company["profile"]["annual_revenue"]) == MAX_MONEY
        policy = current(conn, policies_table, "policy_id", policy_id)
        assert (policy["channel"], policy["agent_id"]) == (fifty, short)
        paid = (
            conn.execute(select(premium_payments.c.reference).where(premium_payments.c.policy_id == str(policy_id)))
            .scalars()
            .all()
        )
        assert paid == [short]
        bundle = current(conn, bundles_table, "bundle_id", bundled.id)
        assert (bundle["channel"], bundle["agent_id"], bundle["policy_count"]) == (fifty, short, 2)
        drafted = current(conn, product_versions, "version_key", f"term_life.v{version}")
        assert (drafted["name_zh"], drafted["drafted_by"], drafted["status"]) == (long, short, "check_failed")
        assert [f["field"] for f in drafted["findings"]] == ["name_zh"]
        claim = current(conn, claims_table, "claim_id", claim_id)
        assert (claim["cause"], claim["estimated_amount"], claim["reserve"]) == (short, MAX_MONEY, MAX_MONEY)
        flags = conn.execute(
            select(claim_flags.c.indicator, claim_flags.c.detail).where(
                claim_flags.c.claim_id == str(claim_id), claim_flags.c.valid_to.is_(None)
            )
        ).all()
        assert (short, detail) in [tuple(flag) for flag in flags]
        survey = current(conn, underwriting_decisions, "policy_id", surveyed)["examinations"][0]
        assert (survey["reason"], survey["examiner"], survey["summary"]) == (reason, name, detail)
        assert (survey["loading_pct"], survey["exclusions"]) == ("500.00", [name] * 50)
        complaint = current(conn, complaints_table, "complaint_id", received.id)
        assert (complaint["complainant_name"], complaint["recording_ref"]) == (name, name)
        request = current(conn, service_requests, "request_id", opened.id)
        assert request["description"] == long
        related = conn.execute(
            select(satisfaction_surveys.c.related_id).where(satisfaction_surveys.c.customer_id == str(holder))
        ).scalars()
        assert sorted(related) == sorted([str(policy_id), short])
        shown_plan = current(conn, improvement_plans, "plan_id", plan_id)
        assert (shown_plan["title"], shown_plan["finding"], shown_plan["owner_id"], shown_plan["channel"]) == (
            name,
            detail,
            short,
            fifty,
        )
        # (examples share the database: one that drew the same channel before added its survey, also at 5)
        assert shown_plan["baseline_surveys"] >= 1
        assert (shown_plan["baseline_score"], shown_plan["conclusion"]) == (Decimal("5.00"), detail)
        risk = current(conn, risks, "risk_id", identified.id)
        assert (risk["title"], risk["owner_id"], risk["controls"], risk["score"]) == (name, short, [contact] * 50, 25)
        treaty = current(conn, reinsurance_treaties, "treaty_id", treaties[0])
        assert (treaty["name"], treaty["concluded_by"], treaty["received_total"]) == (name, short, MAX_MONEY)
        assert [r["reinsurer"] for r in treaty["reinsurers"]] == [r["reinsurer"] for r in reinsurers]
        cession = current(conn, policy_cessions, "policy_id", policy_id)
        ours = [t for t in cession["treaties"] if t["treaty_id"] in {str(t) for t in treaties}]  # (examples share it)
        assert [len(t["shares"]) for t in ours] == [20, 20, 20] and cession["premium_ceded_total"] > 0
        e = reinsurance_entries.c
        ceded_to = select(e.reinsurer).where(
            e.kind == "premium_ceded", e.policy_id == str(policy_id), e.treaty_id.in_([str(t) for t in treaties])
        )
        assert set(conn.execute(ceded_to).scalars()) == {r["reinsurer"] for r in reinsurers}
        shown_campaign = current(conn, campaigns, "campaign_id", campaign_id)
        assert (shown_campaign["name"], shown_campaign["owner_id"], shown_campaign["close_reason"]) == (
            name,
            short,
            detail,
        )
        assert shown_campaign["segments"] == list(TARGETS) and shown_campaign["applications"] == 1
        staff = conn.execute(
            select(campaign_contacts.c.staff_id).where(campaign_contacts.c.campaign_id == str(campaign_id))
        )
        assert staff.scalars().all() == [short]
        linked = select(campaign_applications.c.policy_id).where(
            campaign_applications.c.campaign_id == str(campaign_id)
        )
        assert conn.execute(linked).scalars().all() == [str(policy_id)]
        alert = current(conn, risk_alerts, "alert_id", f"{defined.id}/1")
        assert (alert["owner_id"], alert["note"], alert["threshold"]) == (short, detail, Decimal("1000000.00"))
        action = current(conn, improvement_plan_actions, "action_id", f"{plan_id}/1")
        assert (action["description"], action["owner_id"], action["note"], action["due_on"]) == (
            reason,
            short,
            detail,
            date(9999, 12, 31),
        )
        audit = (
            conn.execute(
                select(audit_log).where(audit_log.c.aggregate_id == str(claim_id)).order_by(audit_log.c.position)
            )
            .mappings()
            .first()
        )
        assert audit is not None
        assert (audit["correlation_id"], audit["causation_id"], audit["reason"]) == (header, header[::-1], reason)
        assert audit["actor_id"] == "a" * 200 and len(audit["command_id"]) == 200
