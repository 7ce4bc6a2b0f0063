"""The management and regulatory reports (SPEC §8) on SQLite and PostgreSQL, each figure checked against a
small book of business whose arithmetic is written out next to the assertion.

The book is built once per database through the application layer, day by day on a simulated clock, and
every report is asked for the first half of 2026 (181 days). A report asked as of a past log position must
answer exactly what it answered then.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from application.commands import campaigns
from application.commands import complaints as complaints
from application.commands import improvement as improvement
from application.commands import policies as policies
from application.commands import policy_servicing as servicing
from application.commands import reinsurance as reinsurance
from application.commands.customers import register_enterprise
from application.infrastructure.settings import Settings
from domain import clock
from domain.improvement.rules import Scope
from projections.premiums import premium_payments
from projections.reports import REPORTS, Report
from tests.builders.book import H1, Book, built_book, money
from tests.builders.campaigns import plan, reachable
from tests.builders.common import ctx, enterprise
from tests.builders.environment import JWT_SECRET, drop_postgres_database, new_postgres_database, require_postgres
from tests.builders.office import Office
from tests.builders.reinsurance import QUOTA_SHARE, conclude, team

D = date


def rows(report: Report) -> dict[str, dict[str, Any]]:
    """The report's rows by group key, without the key."""
    return {row[report.group_by]: {k: v for k, v in row.items() if k != report.group_by} for row in report.rows}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    """The book, built once per database for every read-only test of this module."""
    with built_book(request.param, tmp_path_factory.mktemp("reports")) as built:
        yield built


# --- loss ratio ---------------------------------------------------------------------------------------


def test_the_loss_ratio_is_claims_paid_and_reserves_over_premium_earned_day_by_day(book: Book) -> None:
    report = book.report("loss_ratio", "product")

    home, life = rows(report)["home_property"], rows(report)["term_life"]
    # paid in H1: C1 10,000 + C4 10,000 + C3's advance 3,000; reserves at 06-30: C3 20,000 − 3,000
    assert (home["claims_paid"], home["case_reserves"], home["incurred"]) == (
        money("23000.00"),
        money("17000.00"),
        money("40000.00"),
    )
    # HA: 1.60 × 181 days (01-01…06-30) = 289.60; HB: 1.60 × 110 days (01-10…04-29, surrendered 04-30) = 176.00
    assert home["earned_premium"] == money("465.60")
    assert home["loss_ratio_pct"] == money("8591.07")  # 40,000 ÷ 465.60 = 85.910653…
    # TL: one installment of 63.00 whose cover (01-05…02-04) lies wholly in H1
    assert (life["claims_paid"], life["earned_premium"], life["loss_ratio_pct"]) == (
        money("0.00"),
        money("63.00"),
        money("0.00"),
    )
    assert report.totals["earned_premium"] == money("528.60")
    assert report.totals["loss_ratio_pct"] == money("7567.16")  # 40,000 ÷ 528.60 = 75.671585…
    assert set(report.definitions) == set(report.totals)


def test_the_loss_ratio_by_line_and_by_month(book: Book) -> None:
    by_line = rows(book.report("loss_ratio", "line"))
    by_month = rows(book.report("loss_ratio", "month"))

    assert set(by_line) == {"property", "life"}
    assert by_line["property"]["earned_premium"] == money("465.60")
    # January: HA 31 days × 1.60 = 49.60, HB 22 days (01-10…01-31) × 1.60 = 35.20, TL 27 days (01-05…01-31) of
    # 31 × 63.00 = 54.87; paid nothing, reserves nothing
    assert by_month["2026-01"]["earned_premium"] == money("139.67")
    assert by_month["2026-01"]["loss_ratio_pct"] == money("0.00")
    # February: C1 paid 10,000 and closed (reserve released)
    assert (by_month["2026-02"]["claims_paid"], by_month["2026-02"]["case_reserves"]) == (
        money("10000.00"),
        money("0.00"),
    )
    # May: C3's advance 3,000, its reserve 17,000 at 05-31
    assert (by_month["2026-05"]["claims_paid"], by_month["2026-05"]["case_reserves"]) == (
        money("3000.00"),
        money("17000.00"),
    )
    assert list(by_month) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


# --- claims timeliness -----------------------------------------------------------------------------------


def test_claims_timeliness_counts_each_clock_once_in_the_period_its_outcome_became_known(book: Book) -> None:
    totals = book.report("claims_timeliness", "line").totals

    assert totals["claims_registered"] == 4  # C1, C2, C4, C3
    # decisions: C1 (02-06), C2 (03-10), C4 (03-24) within 30 days; C3 due 05-02, still undecided: late
    assert (totals["decisions_due"], totals["decided_in_time_pct"]) == (4, money("75.00"))
    # payment within 10 days of agreement: C1 (agreed 02-05, paid 02-07) yes; C4 (agreed 03-23, paid 04-10) no
    assert (totals["payments_due"], totals["paid_in_time_pct"]) == (2, money("50.00"))
    # C2 rejected 03-10, notice 03-15: 5 days > 3
    assert (totals["rejection_notices_due"], totals["rejection_notified_in_time_pct"]) == (1, money("0.00"))
    # only C3 was undetermined at 60 days (06-01); its advance came on 05-20. The others were agreed or decided
    assert (totals["advances_due"], totals["advanced_in_time_pct"]) == (1, money("100.00"))
    # report → first payment: C1 02-03→02-07 4 days, C4 03-21→04-10 20 days, C3 04-02→05-20 48 days: 72 ÷ 3
    assert (totals["first_payments"], totals["average_days_to_payment"]) == (3, money("24.00"))
    # closed: C1, C2, C4; paid on: C1, C4
    assert (totals["claims_closed"], totals["claims_closed_paid"], totals["payout_rate_pct"]) == (3, 2, money("66.67"))
    # of the 4 registered, 3 closed by 06-30
    assert (totals["registered_closed"], totals["closure_rate_pct"]) == (3, money("75.00"))
    assert list(rows(book.report("claims_timeliness", "line"))) == ["property"]


def test_claims_timeliness_month_by_month(book: Book) -> None:
    months = rows(book.report("claims_timeliness", "month"))

    january, february, march, april, may, june = months.values()
    assert january["claims_registered"] == 0 and january["decided_in_time_pct"] is None
    # February: C1 registered, decided and paid in time, closed with a payment
    assert (
        february["claims_registered"],
        february["decided_in_time_pct"],
        february["paid_in_time_pct"],
        february["average_days_to_payment"],
        february["payout_rate_pct"],
        february["closure_rate_pct"],
    ) == (1, money("100.00"), money("100.00"), money("4.00"), money("100.00"), money("100.00"))
    # March: C2 and C4 registered and decided in time; C2's notice first late on 03-14; C2 closed unpaid;
    # C4's payment clock (due 04-02) belongs to April; of the two registered only C2 closed by 03-31
    assert (march["claims_registered"], march["decisions_due"], march["decided_in_time_pct"]) == (2, 2, money("100.00"))
    assert (
        march["rejection_notices_due"],
        march["payments_due"],
        march["payout_rate_pct"],
        march["closure_rate_pct"],
    ) == (1, 0, money("0.00"), money("50.00"))
    # April: C4 paid late (first late day 04-03), 20 days after its report, closed with a payment; C3 open
    assert (
        april["payments_due"],
        april["paid_in_time_pct"],
        april["average_days_to_payment"],
        april["payout_rate_pct"],
        april["closure_rate_pct"],
    ) == (1, money("0.00"), money("20.00"), money("100.00"), money("0.00"))
    # May: C3's decision first late on 05-03; its advance on 05-20, 48 days after its report
    assert (
        may["decisions_due"],
        may["decided_in_time_pct"],
        may["advances_due"],
        may["advanced_in_time_pct"],
        may["average_days_to_payment"],
    ) == (1, money("0.00"), 1, money("100.00"), money("48.00"))
    assert june["decisions_due"] == 0 and june["claims_closed"] == 0


# --- complaints -----------------------------------------------------------------------------------------


def test_complaints_per_premium_and_per_policy_by_category(book: Book) -> None:
    report = book.report("complaints", "category")

    claims, sales = rows(report)["claims"], rows(report)["sales"]
    # premium received in H1: HB 584.00 + TL 63.00 + HA's renewal 584.00 (HA's first premium was in 2025)
    assert report.totals["premium_income"] == money("1231.00")
    # in force on 06-30: HA only (HB surrendered, TL lapsed, U1 never paid)
    assert report.totals["policies_in_force"] == 1
    # K1 and K3 (K4 repeats K1 without new facts: not counted again); K2
    assert (claims["complaints_received"], sales["complaints_received"], report.totals["complaints_received"]) == (
        2,
        1,
        3,
    )
    assert claims["per_100m_premium"] == money("162469.54")  # 2 ÷ (1,231 ÷ 100,000,000)
    assert sales["per_100m_premium"] == money("81234.77")
    assert report.totals["per_100m_premium"] == money("243704.31")
    assert (claims["per_10k_policies"], report.totals["per_10k_policies"]) == (money("20000.00"), money("30000.00"))
    # K1 decided in 10 days (15 allowed); K2 in 19 days (30 allowed: complex); K3 undecided
    assert (claims["complaints_decided"], claims["decided_on_time_pct"], claims["decided_within_15_days_pct"]) == (
        1,
        money("100.00"),
        money("100.00"),
    )
    assert (
        sales["decided_on_time_pct"],
        sales["decided_within_15_days_pct"],
        sales["decided_within_30_days_pct"],
        sales["decided_within_60_days_pct"],
    ) == (money("100.00"), money("0.00"), money("100.00"), money("100.00"))
    assert (report.totals["complaints_decided"], report.totals["decided_within_15_days_pct"]) == (2, money("50.00"))


def test_complaints_by_channel_and_month(book: Book) -> None:
    by_channel = rows(book.report("complaints", "channel"))
    by_month = rows(book.report("complaints", "month"))

    assert {k: v["complaints_received"] for k, v in by_channel.items()} == {"phone": 2, "online": 1}
    # February: K1 received and decided; premium received in February: none; in force on 02-28: HA, HB, TL
    february = by_month["2026-02"]
    assert (
        february["complaints_received"],
        february["premium_income"],
        february["per_100m_premium"],
        february["policies_in_force"],
        february["per_10k_policies"],
    ) == (1, money("0.00"), None, 3, money("3333.33"))
    # January: nothing received, 647.00 received in premium (HB 584.00 + TL 63.00)
    assert (
        by_month["2026-01"]["complaints_received"],
        by_month["2026-01"]["premium_income"],
        by_month["2026-01"]["per_100m_premium"],
    ) == (0, money("647.00"), money("0.00"))


def test_complaints_decided_within_n_days_count_the_days_to_the_decisions_notice(
    fresh: tuple[Any, clock.SimulatedClock],
) -> None:
    """Three complaints received Monday 2026-06-01 (the clock counts from 06-01), decided in June:
    KA decided 06-12 (11 days) but told only 06-19 (18 days); KB decided 06-10, told 06-11 (10 days);
    KC decided 06-05 (4 days), not yet told on 06-30. By the notice: within 15 only KB (1 of 3),
    within 30 and 60 KA and KB (2 of 3); KA is late (deadline 06-16), so on time only KB. By the decision
    alone all three would be within 15 days."""
    services, simulated = fresh
    book = Book(services, simulated)
    book.ids["holder"] = UUID(register_enterprise(services.app, ctx(), **enterprise(9)).id)
    for name in ("KA", "KB", "KC"):
        book.complaint(name, D(2026, 6, 1), category="service", channel="phone", holder="holder")
        book.investigate(name, D(2026, 6, 1))

    def resolve(name: str, decided: date, told: date | None) -> None:
        book.on_complaint(
            name,
            decided,
            "resolve",
            outcome="upheld",
            measures=["explain"],
            compensation="0",
            apology=True,
            decided_on=decided,
        )
        if told is not None:
            book.on_complaint(name, told, "notify_decision", on=told, channel="letter")

    resolve("KC", D(2026, 6, 5), None)
    resolve("KB", D(2026, 6, 10), D(2026, 6, 11))
    resolve("KA", D(2026, 6, 12), D(2026, 6, 19))
    book.today(D(2026, 6, 30))
    services.read_side.catch_up()

    totals = book.report("complaints", "category", period=(D(2026, 6, 1), D(2026, 6, 30))).totals

    assert (totals["complaints_received"], totals["complaints_decided"]) == (3, 3)
    assert (
        totals["decided_within_15_days_pct"],
        totals["decided_within_30_days_pct"],
        totals["decided_within_60_days_pct"],
    ) == (money("33.33"), money("66.67"), money("66.67"))
    assert totals["decided_on_time_pct"] == money("33.33")
    assert "notified" in REPORTS["complaints"].definitions["decided_within_15_days_pct"]


# --- underwriting ---------------------------------------------------------------------------------------


def test_underwriting_acceptance_referral_and_turnaround(book: Book) -> None:
    report = book.report("underwriting", "product")

    life, home = rows(report)["term_life"], rows(report)["home_property"]
    # term life: TL accepted automatically on the day; U1 referred, accepted after 10 days; U2 referred,
    # declined after 4 days
    assert (life["applications"], life["decided"], life["accepted"], life["declined"]) == (3, 3, 2, 1)
    assert (life["acceptance_rate_pct"], life["automatic_pct"], life["referral_rate_pct"]) == (
        money("66.67"),
        money("33.33"),
        money("66.67"),
    )
    assert (life["average_turnaround_days"], life["median_turnaround_days"]) == (money("4.67"), money("4.00"))
    # home: HB accepted automatically (HA applied in 2025: not in the period)
    assert (
        home["applications"],
        home["decided"],
        home["acceptance_rate_pct"],
        home["referral_rate_pct"],
        home["median_turnaround_days"],
    ) == (1, 1, money("100.00"), money("0.00"), money("0.00"))
    totals = report.totals
    assert (totals["decided"], totals["acceptance_rate_pct"], totals["automatic_pct"]) == (
        4,
        money("75.00"),
        money("50.00"),
    )
    # turnaround 0, 0, 4, 10: mean 14 ÷ 4, median (0 + 4) ÷ 2
    assert (totals["average_turnaround_days"], totals["median_turnaround_days"]) == (money("3.50"), money("2.00"))


def test_underwriting_by_channel(book: Book) -> None:
    by_channel = rows(book.report("underwriting", "channel"))

    assert {k: v["decided"] for k, v in by_channel.items()} == {"agent": 3, "online": 1}
    assert by_channel["agent"]["median_turnaround_days"] == money("4.00")


# --- persistency ----------------------------------------------------------------------------------------


def test_lapse_surrender_and_renewal_rates(book: Book) -> None:
    report = book.report("persistency", "product")

    home, life = rows(report)["home_property"], rows(report)["term_life"]
    # home: HA in force from before, HB issued 01-10; HB surrendered; HA's period ended 06-30 and was renewed
    assert (home["in_force_during"], home["lapsed"], home["surrendered"], home["surrender_rate_pct"]) == (
        2,
        0,
        1,
        money("50.00"),
    )
    assert (home["renewals_due"], home["renewed"], home["renewal_rate_pct"]) == (1, 1, money("100.00"))
    # term life: TL issued 01-05, lapsed 04-07 (due 02-05, 60 days' grace to 04-06); not renewable
    assert (life["in_force_during"], life["lapsed"], life["lapse_rate_pct"], life["renewal_rate_pct"]) == (
        1,
        1,
        money("100.00"),
        None,
    )
    assert (report.totals["in_force_during"], report.totals["lapse_rate_pct"], report.totals["surrender_rate_pct"]) == (
        3,
        money("33.33"),
        money("33.33"),
    )


def test_persistency_by_month_counts_the_policies_in_force_during_each_month(book: Book) -> None:
    by_month = rows(book.report("persistency", "month"))

    # April: HA, HB and TL were all in force at some time; TL lapsed on 04-07, HB surrendered on 04-30
    assert (
        by_month["2026-04"]["in_force_during"],
        by_month["2026-04"]["lapsed"],
        by_month["2026-04"]["surrendered"],
    ) == (3, 1, 1)
    # May: HA only
    assert (by_month["2026-05"]["in_force_during"], by_month["2026-05"]["lapse_rate_pct"]) == (1, money("0.00"))
    assert (by_month["2026-06"]["renewals_due"], by_month["2026-06"]["renewed"]) == (1, 1)


# --- satisfaction ---------------------------------------------------------------------------------------


def test_satisfaction_surveys_and_complainants_opinion_by_customer_kind(book: Book) -> None:
    report = book.report("satisfaction", "kind")

    individual, firm = rows(report)["individual"], rows(report)["enterprise"]
    # two surveys of individuals in H1: 4.00 and 4.50 (the 2025 survey is outside the period)
    assert (individual["surveys"], individual["average_score"]) == (2, money("4.25"))
    assert (firm["surveys"], firm["average_score"]) == (1, money("3.00"))
    # K1 satisfied, K2 not: both complainants are individuals
    assert (
        individual["complaint_feedback"],
        individual["complainant_responses"],
        individual["complainants_satisfied_pct"],
    ) == (2, 2, money("50.00"))
    assert (firm["complaint_feedback"], firm["complainants_satisfied_pct"]) == (0, None)
    # (4.00 + 4.50 + 3.00) ÷ 3 = 3.8333…
    assert (report.totals["surveys"], report.totals["average_score"]) == (3, money("3.83"))


def test_satisfaction_by_month(book: Book) -> None:
    by_month = rows(book.report("satisfaction", "month"))

    assert {k: v["surveys"] for k, v in by_month.items()} == {
        "2026-01": 0,
        "2026-02": 0,
        "2026-03": 1,
        "2026-04": 0,
        "2026-05": 1,
        "2026-06": 1,
    }
    assert by_month["2026-02"]["complainants_satisfied_pct"] == money("100.00")  # K1, fed back 02-21
    assert by_month["2026-03"]["complainants_satisfied_pct"] == money("0.00")  # K2, fed back 03-21


# --- staff ----------------------------------------------------------------------------------------------


def test_staff_performance_of_agents(book: Book) -> None:
    report = book.report("staff", "agent")

    alice, bob = rows(report)["alice"], rows(report)["bob"]
    # alice sold TL (issued 01-05; U1 and U2 were never issued, HA was issued in 2025); bob sold HB
    assert (alice["policies_sold"], alice["premium_written"], bob["policies_sold"], bob["premium_written"]) == (
        1,
        money("700.00"),
        1,
        money("584.00"),
    )
    # alice: TL 63.00 + HA's renewal 584.00; bob: HB 584.00 − 408.00 refunded on surrender
    assert (alice["premium_collected"], bob["premium_collected"]) == (money("647.00"), money("176.00"))
    # about alice's policies: K1 (HA), K2 (TL); about bob's: K3 (HB); K4 is K1's linked repeat
    assert (alice["complaints_against"], bob["complaints_against"]) == (2, 1)
    assert report.totals == {
        "policies_sold": 2,
        "premium_written": money("1284.00"),
        "premium_collected": money("823.00"),
        "complaints_against": 3,
    }


def test_staff_performance_of_claims_handlers(book: Book) -> None:
    report = book.report("staff", "handler")

    hana, mo = rows(report)["hana"], rows(report)["mo"]
    # hana approved C1 and C4 and both closed: cycles 02-03→02-09 6 days and 03-21→04-12 22 days
    assert (hana["claims_decided"], hana["claims_closed"], hana["average_cycle_days"]) == (2, 2, money("14.00"))
    # mo rejected C2: 03-02→03-16 14 days
    assert (mo["claims_decided"], mo["claims_closed"], mo["average_cycle_days"]) == (1, 1, money("14.00"))
    # K1 is about C1 (hana), K3 about C2 (mo)
    assert (hana["complaints_against"], mo["complaints_against"]) == (1, 1)
    assert set(rows(report)) == {"hana", "mo"}  # C3 is not decided yet


# --- as of -----------------------------------------------------------------------------------------------


def test_every_report_lists_a_definition_for_every_figure(book: Book) -> None:
    for name, spec in REPORTS.items():
        for group in spec.group_by:
            report = book.report(name, group, period=(D(2026, 3, 1), D(2026, 4, 30)))
            assert list(report.definitions) == report.figures, (name, group)
            assert all(set(row) == {group, *report.figures} for row in report.rows), (name, group)


@pytest.mark.parametrize("period", [H1, (D(2026, 3, 1), D(2026, 4, 30))])
def test_totals_summed_from_the_groups_are_those_of_the_whole_book(book: Book, period: tuple[date, date]) -> None:
    checked = 0
    for name, spec in REPORTS.items():
        for group in spec.additive:
            report = book.report(name, group, period=period)
            with book.services.read_side.engine.connect() as conn:
                whole = spec.compute(conn, None, period[0], period[1], group, False).get(None, {})
            assert report.totals == spec.finish(whole, group), (name, group)
            checked += any(report.totals.values())
    assert checked >= 5  # the figures are not all zero


def every_report(book: Book, position: int | None) -> dict[tuple[str, str], tuple[Any, Any]]:
    """(report, grouping) → (rows, totals) for H1, as of `position`."""
    found = {}
    for name, spec in REPORTS.items():
        for group in spec.group_by:
            report = book.report(name, group, position)
            found[(name, group)] = (report.rows, report.totals)
    return found


def test_a_report_asked_as_of_an_earlier_position_answers_what_it_answered_then(services: Any) -> None:
    simulated = clock.SimulatedClock(datetime(2025, 7, 1, 2, tzinfo=UTC))
    with clock.using(simulated):
        book = Book(services, simulated).build()
        before = every_report(book, None)
        position = services.read_side.head()
        # more of H1, recorded later: C3 assessed, approved and paid; a complaint about HA received on 06-15;
        # TL surrendered while lapsed; an application accepted automatically; a survey
        desk = book.desk
        desk.assess("C3", book.today(D(2026, 6, 25)), "5500")
        desk.approve("C3", book.today(D(2026, 6, 26)))
        desk.pay("C3", book.today(D(2026, 6, 27)))
        book.complaint(
            "K5",
            D(2026, 6, 15),
            category="service",
            channel="visit",
            holder="HA:holder",
            related_policy_id=book.ids["HA"],
        )
        servicing.surrender(book.app, ctx(), book.ids["TL"], book.today(D(2026, 6, 28)))
        book.term_life("N1", 8, D(2026, 6, 28))
        book.survey(book.ids["TL:holder"], D(2026, 6, 28), 2, 2, 2, 2)
        services.read_side.catch_up()
        scope = Scope("speed", D(2026, 1, 1), D(2026, 6, 28))  # 8.3.2: a plan on the half year's surveys
        improvement.raise_plan(
            book.app,
            ctx("sm-1", "service_manager"),
            scope=scope,
            title="t",
            finding="f",
            owner_id="sm-1",
            on=D(2026, 6, 29),
        )
        reached = reachable(services, Office(services).person(777))  # 2.1 (5): a campaign's contact in June
        campaign = plan(services, D(2026, 6, 1), D(2026, 6, 30))
        campaigns.contact(
            book.app, ctx(), campaign, D(2026, 6, 29), customer_id=reached, outcome="interested", staff_id="a-1"
        )
        treaty = conclude(services, QUOTA_SHARE, on=D(2026, 6, 29))  # 6.1.1 (6): a reinsurer's settlement in June
        reinsurance.receive_recovery(
            book.app, team(), treaty, D(2026, 6, 29), reinsurer="China Re", amount="100", reference="S-1"
        )
        services.read_side.catch_up()

        after = every_report(book, None)
        then = every_report(book, position)

    assert then == before
    changed = {key for key in before if after[key] != before[key]}
    assert {name for name, _ in changed} == set(REPORTS)  # every report now answers differently


# --- loss ratio: refunds while the cover goes on, and opening reserves --------------------------------------


def test_the_period_incurred_subtracts_the_reserves_carried_in(book: Book) -> None:
    by_month = rows(book.report("loss_ratio", "month"))
    h1 = book.report("loss_ratio", "product").totals

    # H1: no claim was open on 2025-12-31, so nothing is carried in: period_incurred = incurred = 40,000
    assert (h1["opening_reserves"], h1["period_incurred"], h1["incurred"]) == (
        money("0.00"),
        money("40000.00"),
        money("40000.00"),
    )
    # May: C3's reserve 20,000 on 04-30 (reported 04-02, its initial reserve) is carried in; the advance of
    # 3,000 and the 17,000 left make incurred 20,000 (the SPEC's figure) but nothing new: 3,000 + 17,000 − 20,000
    may = by_month["2026-05"]
    assert (may["opening_reserves"], may["incurred"], may["period_incurred"]) == (
        money("20000.00"),
        money("20000.00"),
        money("0.00"),
    )
    assert may["period_loss_ratio_pct"] == money("0.00")
    # June: nothing paid; 17,000 in and 17,000 out
    june = by_month["2026-06"]
    assert (june["claims_paid"], june["opening_reserves"], june["case_reserves"], june["period_incurred"]) == (
        money("0.00"),
        money("17000.00"),
        money("17000.00"),
        money("0.00"),
    )
    for figures in [*by_month.values(), h1]:
        assert figures["period_incurred"] == (
            figures["claims_paid"] + figures["case_reserves"] - figures["opening_reserves"]
        )


@pytest.fixture(params=["sqlite", "postgres"])
def fresh(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[tuple[Any, clock.SimulatedClock]]:
    """An empty database of each kind, on a simulated clock."""
    from interface.bootstrap import bootstrap

    url = f"sqlite:///{tmp_path / 'inscribe.db'}"
    if request.param == "postgres":
        require_postgres()
        url = new_postgres_database()
    services = bootstrap(
        Settings(database_url=url, jwt_secret=JWT_SECRET, read_wait_seconds=5.0), run_projections=False
    )
    simulated = clock.SimulatedClock(datetime(2026, 1, 1, 2, tzinfo=UTC))
    try:
        with clock.using(simulated):
            yield services, simulated
    finally:
        services.close()
        if request.param == "postgres":
            drop_postgres_database(url)


def test_earned_premium_is_net_of_a_sum_insured_decrease_refund(fresh: tuple[Any, clock.SimulatedClock]) -> None:
    """Home 730,000 at 584.00 a year (1.60 a day), paid 2026-01-01 for 01-01…12-31; the sum insured halves to
    365,000 from 04-01 (292.00 a year): 292.00 × 275/365 = 220.00 is refunded for 04-01…12-31."""
    services, simulated = fresh
    book = Book(services, simulated)
    book.home("H", 1, D(2026, 1, 1))
    book.today(D(2026, 3, 20))
    servicing.change(
        services.app,
        ctx(),
        book.ids["H"],
        D(2026, 3, 20),
        kind="sum_insured",
        details={"sum_insured": "365000"},
        document_ref="END-1",
        effective_on=D(2026, 4, 1),
    )
    services.read_side.catch_up()
    with services.read_side.engine.connect() as conn:
        refunds = conn.execute(
            select(premium_payments.c.amount, premium_payments.c.cover_from, premium_payments.c.cover_to).where(
                premium_payments.c.kind == "refund"
            )
        ).all()
    assert [tuple(r) for r in refunds] == [(money("-220.00"), D(2026, 4, 1), D(2026, 12, 31))]

    def earned(start: date, end: date) -> Decimal:
        report = book.report("loss_ratio", "product", period=(start, end))
        return Decimal(report.totals["earned_premium"])

    # 01-01…03-31: 90 days × 1.60 = 144.00, nothing given back yet
    assert earned(D(2026, 1, 1), D(2026, 3, 31)) == money("144.00")
    # the last day before the change earns 1.60, the first day after it 0.80 (1.60 − 220.00 ÷ 275)
    assert earned(D(2026, 3, 31), D(2026, 3, 31)) == money("1.60")
    assert earned(D(2026, 4, 1), D(2026, 4, 1)) == money("0.80")
    # H1: 584.00 × 181/365 = 289.60 less 220.00 × 91/275 = 72.80 → 216.80 (= 144.00 + 91 × 0.80)
    assert earned(D(2026, 1, 1), D(2026, 6, 30)) == money("216.80")
    # the whole year: 584.00 − 220.00 = 364.00, every refund netted
    assert earned(D(2026, 1, 1), D(2026, 12, 31)) == money("364.00")
