"""The passing of time (SPEC §5, §11): `inscribe tick` and the scheduler record lapses, deemed consents
to reinstatement, terminations, renewal offers and expiries as events of the actor `system`, on
exactly the day they fall due, once; the future is never recorded.

The policies are made and read through the HTTP API on a simulated clock (tests.builders.desk);
time passes through the command line in-process (CliRunner on the same database) or through
`interface.scheduler.tick`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner, Result

from application.commands import policies as policies
from domain.policy.aggregate import Policy
from interface.cli import main
from interface.scheduler import TickFailure
from interface.scheduler import tick as scheduler_tick
from tests.builders.common import resident_id
from tests.builders.desk import Desk, is_problem
from tests.builders.environment import JWT_SECRET

D = date
LAPSE_DAY = D(2025, 4, 12)  # installment 2 of a monthly policy issued on 10 January: due 10 February + 60 days


def inscribe_tick(desk: Desk, until: date | None = None) -> Result:
    """`inscribe tick [--until DATE]` on the test's database, today being the simulated clock's day."""
    args = ["tick", *(["--until", until.isoformat()] if until else [])]
    env = {"INSCRIBE_DATABASE_URL": desk.services.settings.database_url, "INSCRIBE_JWT_SECRET": JWT_SECRET}
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def changed(result: Result) -> str:
    """The summary line of a tick: 'DATE: N policies had something due; M changed'."""
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def lapsed_policy(desk: Desk, seed: int) -> tuple[str, str]:
    """(customer, policy): term life paid monthly from 10 January 2025, only the first installment paid,
    lapsed by the scheduler on LAPSE_DAY."""
    holder = desk.customer(seed)
    pid = desk.in_force(holder, mode="monthly")
    desk.today(LAPSE_DAY)
    scheduler_tick(desk.services, LAPSE_DAY)
    return holder, pid


def system_events(desk: Desk, policy_id: str) -> list[tuple[str, str]]:
    return [(e["type"], e["data"].get("on")) for e in desk.history(policy_id) if e["metadata"]["actor_id"] == "system"]


def test_an_unpaid_installment_lapses_the_day_after_its_grace_ends_once_and_never_in_advance(desk: Desk) -> None:
    holder = desk.customer(1)
    pid = desk.in_force(holder, mode="monthly")
    desk.today(D(2025, 4, 11))

    last_day = changed(inscribe_tick(desk))
    in_grace = desk.policy(pid)
    desk.today(LAPSE_DAY)
    lapsed = changed(inscribe_tick(desk, LAPSE_DAY))
    events = desk.events()
    again = changed(inscribe_tick(desk, LAPSE_DAY))
    future = inscribe_tick(desk, D(2025, 4, 13))

    assert last_day == "2025-04-11: 0 policies had something due; 0 changed"
    assert (in_grace["status"], in_grace["next_due_date"]) == ("in_force", "2025-04-12")
    assert lapsed == "2025-04-12: 1 policies had something due; 1 changed"
    assert again == "2025-04-12: 0 policies had something due; 0 changed"
    assert future.exit_code != 0 and "after today" in future.output
    assert desk.events() == events
    policy = desk.policy(pid)
    assert (policy["status"], policy["in_force"], policy["lapsed_on"]) == ("lapsed", False, "2025-04-12")
    lapse = desk.history(pid)[-1]
    assert (lapse["type"], lapse["data"]["grace_end"], lapse["data"]["premium_owed"]) == (
        "Lapsed",
        "2025-04-11",
        "189.00",
    )
    assert (lapse["metadata"]["actor_id"], lapse["metadata"]["channel"]) == ("system", "system")
    cover_last_day, cover_lapsed = desk.cover(pid, D(2025, 4, 11)), desk.cover(pid, LAPSE_DAY)
    assert (cover_last_day["in_force"], cover_last_day["in_grace"], cover_last_day["premium_owed"]) == (
        True,
        True,
        "189.00",
    )  # three installments of 63.00 owed on the last day of grace
    assert (cover_lapsed["status"], cover_lapsed["in_force"]) == ("lapsed", False)
    overdue = desk.get("/api/v1/premiums/overdue", today="2025-04-12", policy_id=pid)["items"]
    assert [(i["installment_no"], i["days_overdue"], i["status"]) for i in overdue] == [
        (2, 61, "lapsed"),
        (3, 33, "lapsed"),
        (4, 2, "lapsed"),
    ]
    assert desk.stage(holder) == "dormant"


def test_a_lapsed_policy_reinstated_by_agreement_is_in_force_again_from_the_day_the_arrears_are_paid(
    desk: Desk,
) -> None:
    holder, pid = lapsed_policy(desk, 2)
    desk.do(pid, "reinstatement-requests", {"on": desk.on(D(2025, 5, 1))})
    desk.do(pid, "reinstatement-decision", {"agree": True, "on": desk.on(D(2025, 5, 5))}, role="underwriter")
    paid_on = desk.on(D(2025, 5, 12))
    short = desk.act(pid, "arrears-payments", {"amount": "189.00", "paid_on": paid_on, "reference": "arrears"})

    desk.do(pid, "arrears-payments", {"amount": "252.00", "paid_on": paid_on, "reference": "arrears"})

    assert is_problem(short, 409, "wrong-amount")["due"] == "252.00"  # installments 2 to 5
    policy = desk.policy(pid)
    assert (policy["status"], policy["in_force"], policy["next_installment_due"]) == ("in_force", True, "2025-06-10")
    assert [desk.cover(pid, D(2025, 5, day))["in_force"] for day in (11, 12)] == [False, True]
    history = desk.history(pid)
    assert [(e["type"], e["data"].get("installment_no")) for e in history if e["data"].get("on") == paid_on] == [
        ("PremiumPaid", 2),
        ("PremiumPaid", 3),
        ("PremiumPaid", 4),
        ("PremiumPaid", 5),
        ("Reinstated", None),
    ]
    assert len({e["metadata"]["command_id"] for e in history[-5:]}) == 1  # one command, one transaction
    assert desk.stage(holder) == "active"


def test_thirty_days_of_silence_after_a_reinstatement_request_count_as_consent_on_the_thirty_first(desk: Desk) -> None:
    _, pid = lapsed_policy(desk, 3)
    desk.do(pid, "reinstatement-requests", {"on": desk.on(D(2025, 5, 1))})
    # the 30th day, Saturday 2025-05-31, opens the Dragon Boat holiday (05-31 … 06-02): the insurer may answer
    # through Tuesday 06-03 (Civil Code Art. 203), and silence is consent on 06-04 (was 05-31 and 06-01)
    desk.today(D(2025, 6, 3))

    silent = changed(inscribe_tick(desk))
    desk.today(D(2025, 6, 4))
    deemed = scheduler_tick(desk.services, D(2025, 6, 4))
    desk.do(pid, "arrears-payments", {"amount": "252.00", "paid_on": desk.on(D(2025, 6, 5)), "reference": "arrears"})

    assert silent.endswith("0 changed")
    assert (deemed.examined, deemed.changed) == (1, 1)
    assert system_events(desk, pid) == [("Lapsed", "2025-04-12"), ("ReinstatementDeemedAgreed", "2025-06-04")]
    assert desk.policy(pid)["status"] == "in_force"


def test_two_years_after_the_lapse_without_reinstatement_the_policy_terminates_with_its_cash_value(desk: Desk) -> None:
    holder, pid = lapsed_policy(desk, 4)
    desk.today(D(2027, 4, 12))  # the last day of the two years (a Monday)

    last_day = changed(inscribe_tick(desk))
    desk.today(D(2027, 4, 13))
    terminated = changed(inscribe_tick(desk))
    too_late = desk.act(pid, "reinstatement-requests", {"on": "2027-04-13"})

    assert last_day.endswith("0 changed")
    assert terminated == "2027-04-13: 1 policies had something due; 1 changed"
    is_problem(too_late, 409, "invalid-policy-transition")
    assert system_events(desk, pid) == [
        ("Lapsed", "2025-04-12"),
        ("Terminated", "2027-04-13"),
        ("PremiumRefunded", "2027-04-13"),
    ]
    policy = desk.policy(pid)
    assert (policy["status"], policy["in_force"]) == ("terminated", False)
    # two completed policy years: 20% of the 63.00 paid (term life's cash value table)
    assert [(p["kind"], p["amount"], p["reason"]) for p in desk.payments(pid)][-1] == (
        "refund",
        "-12.60",
        "termination-cash-value",
    )
    assert desk.stage(holder) == "dormant"


def test_a_reinstatement_request_open_at_the_two_year_mark_and_refused_terminates_the_policy_the_day_after_the_refusal(
    desk: Desk,
) -> None:
    holder, pid = lapsed_policy(desk, 7)
    request_on_last_day = desk.act(pid, "reinstatement-requests", {"on": desk.on(D(2027, 4, 12))})
    desk.today(D(2027, 4, 13))
    at_the_mark = changed(inscribe_tick(desk))  # the request is decided (or deemed agreed) first (Art. 37)
    open_after_the_mark = desk.policy(pid)
    refusal = {"agree": False, "reason": "risk-increased-markedly", "on": desk.on(D(2027, 4, 20))}
    desk.do(pid, "reinstatement-decision", refusal, role="underwriter")
    again = desk.act(pid, "reinstatement-requests", {"on": "2027-04-20"})
    refused_day = changed(inscribe_tick(desk))
    desk.today(D(2027, 4, 21))
    terminated = changed(inscribe_tick(desk))

    assert request_on_last_day.status_code == 200  # still within the two years: the request is taken
    assert at_the_mark == "2027-04-13: 0 policies had something due; 0 changed"
    assert (open_after_the_mark["status"], open_after_the_mark["in_force"]) == ("lapsed", False)
    is_problem(again, 409, "reinstatement-time-barred")  # the two years are over: no second request
    assert refused_day.endswith("0 changed") and terminated.endswith("1 changed")
    assert system_events(desk, pid) == [
        ("Lapsed", "2025-04-12"),
        ("Terminated", "2027-04-21"),
        ("PremiumRefunded", "2027-04-21"),
    ]
    assert desk.policy(pid)["status"] == "terminated"
    assert [(p["kind"], p["amount"], p["reason"]) for p in desk.payments(pid)][-1] == (
        "refund",
        "-12.60",
        "termination-cash-value",
    )
    assert desk.stage(holder) == "dormant"


def test_a_reinstatement_request_open_at_the_two_year_mark_met_by_30_days_of_silence_is_deemed_agreed_not_terminated(
    desk: Desk,
) -> None:
    holder, pid = lapsed_policy(desk, 8)
    desk.do(pid, "reinstatement-requests", {"on": desk.on(D(2027, 4, 12))})
    desk.today(D(2027, 5, 12))  # the 30th day after the request (a Wednesday): the insurer may still answer

    silent = changed(inscribe_tick(desk))
    desk.today(D(2027, 5, 13))
    deemed = changed(inscribe_tick(desk))
    agreed = desk.policy(pid)
    # installments 2 (2025-02-10) to 29 (2027-05-10), 28 of 63.00, are in arrears
    desk.do(pid, "arrears-payments", {"amount": "1764.00", "paid_on": desk.on(D(2027, 5, 20)), "reference": "arrears"})
    desk.today(D(2027, 7, 1))
    later = changed(inscribe_tick(desk))

    assert silent.endswith("0 changed")
    assert deemed == "2027-05-13: 1 policies had something due; 1 changed"
    assert (agreed["status"], agreed["in_force"]) == ("lapsed", False)  # agreed, awaiting the arrears
    assert later.endswith("0 changed")
    assert system_events(desk, pid) == [("Lapsed", "2025-04-12"), ("ReinstatementDeemedAgreed", "2027-05-13")]
    policy = desk.policy(pid)
    assert (policy["status"], policy["in_force"]) == ("in_force", True)
    assert [desk.cover(pid, D(2027, 5, day))["in_force"] for day in (19, 20)] == [False, True]
    assert "termination-cash-value" not in [p["reason"] for p in desk.payments(pid)]
    assert desk.stage(holder) == "active"


def test_renewal_is_offered_by_tick_on_the_offer_day_and_an_unrenewed_policy_expires_after_its_last_day(
    desk: Desk,
) -> None:
    renewing_holder, lapsing_holder = desk.customer(5), desk.customer(6)
    home: dict[str, Any] = {"relationship": "owner", "term": 12, "declared_property_value": "1000000"}
    renewing = desk.in_force(renewing_holder, "home_property", **home)
    expiring = desk.in_force(lapsing_holder, "home_property", **home)
    desk.today(D(2025, 12, 9))

    before_offer = changed(inscribe_tick(desk))
    due = desk.get("/api/v1/policies/renewals-due", today="2025-12-10")
    desk.today(D(2025, 12, 10))
    offered = changed(inscribe_tick(desk))
    desk.do(renewing, "renewals", {"amount": "400.00", "paid_on": desk.on(D(2025, 12, 20)), "reference": "renew"})
    desk.today(D(2026, 1, 10))
    expired = changed(inscribe_tick(desk, D(2026, 1, 9)))
    expired_next_day = changed(inscribe_tick(desk))

    assert before_offer.endswith("0 changed")
    assert sorted(p["policy_id"] for p in due["items"]) == sorted([renewing, expiring])
    assert offered == "2025-12-10: 2 policies had something due; 2 changed"
    assert desk.get("/api/v1/policies/renewals-due", today="2025-12-10")["total"] == 0
    assert expired.endswith("0 changed") and expired_next_day.endswith("1 changed")
    assert system_events(desk, expiring) == [("RenewalOffered", "2025-12-10"), ("Expired", "2026-01-10")]
    assert (desk.policy(expiring)["status"], desk.policy(renewing)["status"]) == ("expired", "in_force")
    assert (desk.policy(renewing)["period"], desk.policy(renewing)["end_date"]) == (2, "2027-01-09")
    assert (desk.stage(lapsing_holder), desk.stage(renewing_holder)) == ("dormant", "active")
    assert desk.cover(expiring, D(2026, 1, 9))["in_force"] is True
    assert desk.cover(expiring, D(2026, 1, 10))["in_force"] is False


# -- one policy never stops time (SPEC §11) ---------------------------------------------------------

AGED_OUT = "not renewable: age must be between 18 and 65"


def aged_out_accident_policy(desk: Desk, seed: int) -> tuple[str, str]:
    """(customer, policy): personal accident (insured aged 18 to 65) from 10 January 2025 for an insured
    born on 1 December 1959: 65 when accepted, 66 on the term's last day (9 January 2026), which is
    the age the renewal is quoted for. Its renewal offer falls due on 10 December 2025."""
    holder = desk.customer(seed, id_number=resident_id(seed, birth="19591201"))
    return holder, desk.in_force(holder, "personal_accident", term=12, sum_insured="500000")


def a_home_policy(desk: Desk, seed: int) -> str:
    """Home property from 10 January 2025 (renewal offer due 10 December 2025, renewable at any age)."""
    return desk.in_force(
        desk.customer(seed), "home_property", relationship="owner", term=12, declared_property_value="1000000"
    )


def test_a_renewal_that_cannot_be_quoted_is_recorded_as_not_renewable_and_the_policy_expires_at_term_end(
    desk: Desk,
) -> None:
    holder, aged = aged_out_accident_policy(desk, 21)
    home = a_home_policy(desk, 22)
    desk.today(D(2025, 12, 10))

    offered = changed(inscribe_tick(desk))
    renewals_due = desk.get("/api/v1/policies/renewals-due", today="2025-12-10")["total"]
    desk.today(D(2026, 1, 9))
    last_day = changed(inscribe_tick(desk))
    desk.today(D(2026, 1, 10))
    expired = changed(inscribe_tick(desk))

    assert offered == "2025-12-10: 2 policies had something due; 2 changed"  # the other one too
    assert renewals_due == 0
    assert last_day.endswith("0 changed")  # not asked again every day until the end of term
    assert expired == "2026-01-10: 2 policies had something due; 2 changed"
    assert system_events(desk, aged) == [("RenewalNotOffered", "2025-12-10"), ("Expired", "2026-01-10")]
    assert system_events(desk, home) == [("RenewalOffered", "2025-12-10"), ("Expired", "2026-01-10")]
    refusal = next(e for e in desk.history(aged) if e["type"] == "RenewalNotOffered")
    assert (refusal["data"]["field"], refusal["data"]["reason"]) == ("age", "age must be between 18 and 65")
    assert (refusal["metadata"]["actor_id"], refusal["metadata"]["channel"]) == ("system", "system")
    policy = desk.policy(aged)
    assert (policy["status"], policy["closing_reason"], policy["renewal_offered_on"]) == ("expired", AGED_OUT, None)
    assert desk.cover(aged, D(2026, 1, 9))["in_force"] is True
    assert desk.cover(aged, D(2026, 1, 10))["in_force"] is False
    assert desk.stage(holder) == "dormant"


def test_a_dated_command_on_a_policy_whose_renewal_cannot_be_quoted_records_that_first_and_works(desk: Desk) -> None:
    _, aged = aged_out_accident_policy(desk, 23)
    contacts = {
        "kind": "contacts",
        "details": {"contacts": {"phone": "13900139000"}},
        "document_ref": "DOC-2025-77",
        "effective_on": "2025-12-15",
        "on": desk.on(D(2025, 12, 15)),
    }

    desk.do(aged, "changes", contacts)  # no tick ran: the command brings the policy up to its date first

    assert [(e["type"], e["metadata"]["actor_id"]) for e in desk.history(aged)[-2:]] == [
        ("RenewalNotOffered", "system"),
        ("PolicyChanged", "alice"),
    ]
    assert desk.policy(aged)["status"] == "in_force"
    is_problem(desk.act(aged, "renewal-offers", {"on": desk.on(D(2025, 12, 16))}), 409, "not-renewable")


def failing_for(policy_id: str, error: Exception) -> Any:
    """`application.commands.policies.advance` that raises `error` for one policy and works for the others."""
    real = policies.advance

    def advance(app: Any, aggregate_id: UUID, today: date, **options: Any) -> Any:
        if str(aggregate_id) == policy_id:
            raise error
        return real(app, aggregate_id, today, **options)

    return advance


def test_one_policy_that_fails_is_logged_and_reported_and_every_other_one_is_still_processed(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    holders = [desk.customer(seed) for seed in (31, 32, 33)]
    first, failing, last = (desk.in_force(holder, mode="monthly") for holder in holders)
    desk.today(LAPSE_DAY)
    monkeypatch.setattr(policies, "advance", failing_for(failing, RuntimeError("the disk is on fire")))

    with caplog.at_level(logging.ERROR, logger="interface.scheduler"):
        report = scheduler_tick(desk.services, LAPSE_DAY)
    logs = [r for r in caplog.records if r.name == "interface.scheduler" and failing in r.getMessage()]
    cli = inscribe_tick(desk)  # the same failure through `inscribe tick`
    monkeypatch.undo()
    after = inscribe_tick(desk)

    assert (report.examined, report.changed) == (3, 2)
    assert report.failures == (TickFailure("policy", failing, "RuntimeError: the disk is on fire"),)
    [logged] = logs
    assert logged.exc_info is not None and "the disk is on fire" in str(logged.exc_info[1])
    assert cli.exit_code == 1
    assert cli.stdout.strip().splitlines()[-1] == "2025-04-12: 1 policies had something due; 0 changed; 1 failed"
    assert f"failed: policy {failing}: RuntimeError: the disk is on fire" in cli.stderr
    assert changed(after) == "2025-04-12: 1 policies had something due; 1 changed"
    assert [desk.policy(pid)["status"] for pid in (first, failing, last)] == ["lapsed"] * 3
    assert [system_events(desk, pid) for pid in (first, failing, last)] == [[("Lapsed", "2025-04-12")]] * 3


FAILING_TICK = """
import os, sys
from application.commands import policies
real = policies.advance
def advance(app, policy_id, today, **options):
    if str(policy_id) == os.environ["FAIL_POLICY"]:
        raise RuntimeError("injected for " + str(policy_id))
    return real(app, policy_id, today, **options)
policies.advance = advance
from interface.cli import main
main(sys.argv[1:], prog_name="inscribe")
"""


def test_inscribe_tick_in_a_fresh_interpreter_exits_1_naming_the_failed_policy_after_recording_the_others(
    desk: Desk,
) -> None:
    holders = [desk.customer(seed) for seed in (41, 42)]
    ok, failing = (desk.in_force(holder, mode="monthly") for holder in holders)
    desk.today(LAPSE_DAY)
    env = {
        **os.environ,
        "INSCRIBE_DATABASE_URL": desk.services.settings.database_url,
        "INSCRIBE_JWT_SECRET": JWT_SECRET,
        "FAIL_POLICY": failing,
    }
    args = ["tick", "--until", LAPSE_DAY.isoformat()]

    broken = subprocess.run(
        [sys.executable, "-c", FAILING_TICK, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    recorded = [desk.services.app.load(Policy, UUID(pid)).status for pid in (ok, failing)]
    inscribe = str(Path(sys.executable).with_name("inscribe"))
    clean = subprocess.run([inscribe, *args], env=env, capture_output=True, text=True, timeout=300, check=False)

    assert broken.returncode == 1, broken.stderr
    assert broken.stdout.strip().splitlines()[-1] == "2025-04-12: 2 policies had something due; 1 changed; 1 failed"
    assert f"failed: policy {failing}: RuntimeError: injected for {failing}" in broken.stderr
    assert recorded == ["lapsed", "in_force"]  # the other policy's lapse was recorded
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.strip().splitlines()[-1] == "2025-04-12: 1 policies had something due; 1 changed"
    assert desk.services.app.load(Policy, UUID(failing)).status == "lapsed"
