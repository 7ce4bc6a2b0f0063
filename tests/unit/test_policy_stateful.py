"""Random policy lifecycles: valid and invalid commands on dates moving forward.

Invariants: never in force without acceptance and a paid first premium; refunds never exceed the
premium paid; nothing leaves a terminal state; replaying the events gives the live state; the status
on a past date never changes; the remaining sum insured is never negative; event dates never go back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any, cast

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError
from domain.policy.aggregate import STATUSES, TERMINAL, Policy
from domain.product.model import Product
from tests.builders.policies import (
    HOME,
    MEDICAL,
    START,
    TERM_LIFE,
    aged_out,
    application,
    findings,
    installment_for,
    passed,
    through_snapshot,
)

DAYS = timedelta(days=1)
STEPS = st.sampled_from([0, 1, 1, 2, 5, 10, 15, 16, 29, 30, 31, 45, 59, 60, 61, 90, 200, 400, 800])
PRODUCTS: list[tuple[Product, str]] = [
    (TERM_LIFE, "monthly"),
    (TERM_LIFE, "annual"),
    (TERM_LIFE, "single"),
    (MEDICAL, "monthly"),
    (MEDICAL, "annual"),
    (HOME, "monthly"),
]
ANNUAL = Decimal("1200")
STATUS_CHANGES = (
    "UnderwritingStarted",
    "Accepted",
    "Referred",
    "Declined",
    "OfferedWithConditions",
    "ConditionsAccepted",
    "Postponed",
    "ConditionsRefused",
    "Issued",
    "Lapsed",
    "Reinstated",
    "Terminated",
    "CancelledInCoolingOff",
    "Expired",
    "Surrendered",
    "Rescinded",
)


def state_of(policy: Policy) -> dict[str, Any]:
    return {k: v for k, v in vars(policy).items() if k != "_pending_events"}


def event_day(event: Any) -> date:
    return event.applied_on if isinstance(event, Policy.Applied) else event.on


class PolicyLifecycle(RuleBasedStateMachine):
    """Every command either records its events or is refused with a domain error and records nothing."""

    policy: Policy

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []
        self.today = START
        self.seen: dict[date, str | None] = {}

    @initialize(choice=st.sampled_from(PRODUCTS), steps=st.integers(min_value=0, max_value=4))
    def apply(self, choice: tuple[Product, str], steps: int) -> None:
        """Apply, then take up to `steps` natural steps (to start at varied stages)."""
        product, mode = choice
        each = installment_for(mode, ANNUAL, product.terms_months[0])
        self.policy = Policy.apply(
            **application(product, premium_mode=mode, quoted_annual_premium=ANNUAL, quoted_installment=each)
        )
        self.events.extend(self.policy.collect_events())
        for _ in range(steps):
            self.proceed()

    def attempt(self, command: Callable[[], object]) -> None:
        version = self.policy.version
        try:
            command()
        except DomainError:
            assert self.policy.pending_events == []
            assert self.policy.version == version
            return
        new = self.policy.collect_events()
        assert [e.originator_version for e in new] == list(range(version + 1, version + 1 + len(new)))
        self.events.extend(new)

    def dated(self, command: Callable[[date], object], catch_up: bool) -> None:
        """Run a dated command today, usually after recording what time has caused."""
        if catch_up:
            self.attempt(lambda: self.policy.advance_time(self.today))
        self.attempt(lambda: command(self.today))

    def due(self) -> Decimal:
        policy = self.policy
        if policy.status in ("applied", "underwriting", "referred"):
            return cast(Decimal, policy.quoted_installment)  # quoted with every application
        if policy.status == "accepted" and policy.installment is not None:
            return policy.installment
        item = policy.first_unpaid()
        return item["amount"] if item else Decimal("1")

    @rule()
    def proceed(self) -> None:
        """The natural next step of the lifecycle, so that runs get far."""
        policy, today = self.policy, self.today
        steps: dict[str, Callable[[], object]] = {
            "applied": policy.start_underwriting,
            "underwriting": lambda: policy.record_automatic_underwriting(passed(), "accepted", ANNUAL, self.due()),
            "referred": lambda: policy.decide(
                "accept",
                underwriter_id="uw-1",
                role="underwriter",
                annual_premium=ANNUAL,
                installment=self.due(),
                decided_on=today,
            ),
            "offered_with_conditions": lambda: policy.accept_conditions(today),
            "accepted": lambda: policy.pay_premium(self.due(), today, "bank"),
            "lapsed": lambda: (
                policy.pay_arrears(policy.premium_owed_on(today), today)
                if policy.reinstatement and policy.reinstatement["state"] == "agreed"
                else policy.request_reinstatement(today)
            ),
        }
        item, offer = policy.first_unpaid(), policy.renewal_offer
        if policy.status == "in_force" and item and item["due_date"] <= today + 40 * DAYS:
            steps["in_force"] = lambda: policy.pay_premium(item["amount"], today, "bank")
        elif policy.status == "in_force" and offer:
            steps["in_force"] = lambda: policy.renew(today, offer["installment"])
        if policy.status in steps:
            self.attempt(lambda: policy.advance_time(today))
            self.attempt(steps[policy.status])
        self.advance(31, offer=True)

    @rule(steps=st.integers(min_value=2, max_value=14))
    def proceed_far(self, steps: int) -> None:
        for _ in range(steps):
            self.proceed()

    # -- time ---------------------------------------------------------------------------------

    @rule(days=STEPS, offer=st.booleans())
    def advance(self, days: int, offer: bool) -> None:
        self.today += days * DAYS
        premium = (lambda: (Decimal("1300"), None)) if offer else None
        self.attempt(lambda: self.policy.advance_time(self.today, renewal_premium=premium))

    # -- underwriting -------------------------------------------------------------------------

    @rule()
    def start_underwriting(self) -> None:
        self.attempt(self.policy.start_underwriting)

    @rule(
        outcome=st.sampled_from(["accepted", "accepted", "referred", "declined"]),
        consistent=st.sampled_from([True, True, True, False]),
        annual=st.sampled_from([ANNUAL, ANNUAL, Decimal("1300")]),
    )
    def automatic_underwriting(self, outcome: str, consistent: bool, annual: Decimal) -> None:
        found = {"accepted": passed(), "referred": findings("refer"), "declined": findings("decline")}[outcome]
        if not consistent:
            found = passed() if outcome != "accepted" else findings("refer")
        each = installment_for(self.policy.premium_mode, annual, self.policy.term_months)
        self.attempt(lambda: self.policy.record_automatic_underwriting(found, outcome, annual, each, on=self.today))

    @rule(
        decision=st.sampled_from(["accept", "offer_with_conditions", "postpone", "decline"]),
        loading=st.sampled_from([0, 0, 25]),
        reason=st.sampled_from(["", "medical history"]),
        catch_up=st.booleans(),
    )
    def decide(self, decision: str, loading: int, reason: str, catch_up: bool) -> None:
        annual = ANNUAL * (100 + loading) / 100
        each = installment_for(self.policy.premium_mode, annual, self.policy.term_months)
        self.dated(
            lambda day: self.policy.decide(
                decision,
                underwriter_id="uw-1",
                role="underwriter",
                reason=reason,
                loading_pct=loading,
                annual_premium=annual,
                installment=each,
                decided_on=day,
            ),
            catch_up,
        )

    @rule(accept=st.booleans())
    def answer_conditions(self, accept: bool) -> None:
        command = self.policy.accept_conditions if accept else self.policy.refuse_conditions
        self.dated(command, True)

    # -- premium, lapse, reinstatement ---------------------------------------------------------

    @rule(exact=st.sampled_from([True, True, True, False]), catch_up=st.sampled_from([True, True, False]))
    def pay_premium(self, exact: bool, catch_up: bool) -> None:
        amount = self.due() if exact else self.due() + Decimal("0.01")
        self.dated(lambda day: self.policy.pay_premium(amount, day, "bank"), catch_up)

    @rule(no=st.integers(min_value=1, max_value=6))
    def demand_payment(self, no: int) -> None:
        self.dated(lambda day: self.policy.demand_payment(no, day), True)

    @rule()
    def request_reinstatement(self) -> None:
        self.dated(self.policy.request_reinstatement, True)

    @rule(agree=st.booleans(), reason=st.sampled_from(["risk-increased-markedly", "no reason"]), catch_up=st.booleans())
    def decide_reinstatement(self, agree: bool, reason: str, catch_up: bool) -> None:
        self.dated(lambda day: self.policy.decide_reinstatement(agree, day, reason), catch_up)

    @rule(exact=st.booleans())
    def pay_arrears(self, exact: bool) -> None:
        def pay(day: date) -> None:
            owed = self.policy.premium_owed_on(day)
            self.policy.pay_arrears(owed if exact else owed + 1, day)

        self.dated(pay, True)

    # -- after-sales ---------------------------------------------------------------------------

    @rule()
    def sign_receipt(self) -> None:
        self.dated(self.policy.sign_receipt, True)

    @rule()
    def cancel_in_cooling_off(self) -> None:
        self.dated(self.policy.cancel_in_cooling_off, True)

    @rule(
        kind=st.sampled_from(["beneficiary", "contacts", "premium_mode", "sum_insured"]),
        valid=st.sampled_from([True, True, False]),
        ahead=st.sampled_from([0, 0, 10]),
    )
    def change(self, kind: str, valid: bool, ahead: int) -> None:
        policy = self.policy
        item = policy.first_unpaid()
        effective = item["due_date"] if kind == "premium_mode" and item else self.today + ahead * DAYS
        changes: dict[str, dict[str, Any]] = {
            "beneficiary": {"beneficiaries": [{"name": "王五", "share": 100 if valid else 90}]},
            "contacts": {"contacts": {"phone": "13800138000" if valid else "123"}},
            "premium_mode": {"premium_mode": "annual" if policy.premium_mode == "monthly" else "monthly"},
            "sum_insured": {"sum_insured": policy.sum_insured * (Decimal("0.8") if valid else Decimal("1.2"))},
        }
        details = changes[kind]
        self.dated(lambda day: policy.change(kind, details, "DOC-1", max(effective, day), on=day), True)

    @rule(approve=st.booleans())
    def sum_insured_increase(self, approve: bool) -> None:
        policy = self.policy
        if policy.pending_increase is None:
            self.dated(
                lambda day: policy.request_sum_insured_increase(
                    policy.sum_insured * Decimal("1.1"), "DOC-2", day + 5 * DAYS, on=day
                ),
                True,
            )
        else:
            self.dated(
                lambda day: policy.decide_sum_insured_increase(
                    approve,
                    underwriter_id="uw-2",
                    role="underwriter",
                    reason="" if approve else "too high",
                    annual_premium=ANNUAL * Decimal("1.1"),
                    decided_on=day,
                ),
                True,
            )

    @rule(exact=st.booleans())
    def renewal(self, exact: bool) -> None:
        policy = self.policy
        if policy.renewal_offer is None:
            self.dated(lambda day: policy.offer_renewal(day, Decimal("1300")), True)
        else:
            first = policy.renewal_offer["installment"]
            self.dated(lambda day: policy.renew(day, first if exact else first - 1), True)

    @rule()
    def surrender(self) -> None:
        self.dated(self.policy.surrender, True)

    @rule(
        ground=st.sampled_from(["intentional", "gross_negligence"]),
        learned=st.sampled_from([0, 30, 31]),
        knew=st.sampled_from([False, False, True]),
    )
    def rescind(self, ground: str, learned: int, knew: bool) -> None:
        self.dated(lambda day: self.policy.rescind(day, ground, day - learned * DAYS, knew), True)

    @rule(share=st.sampled_from([Decimal("0.1"), Decimal("0.5"), Decimal("1.01")]))
    def record_claim_payment(self, share: Decimal) -> None:
        amount = (self.policy.remaining_sum_insured * share).quantize(Decimal("0.01"))
        self.dated(lambda day: self.policy.record_claim_payment("claim-1", amount, day), True)

    @rule(back=st.sampled_from([0, 1, 10, 45]), cause=st.sampled_from(["death", "accidental_death", "illness"]))
    def record_death_benefit(self, back: int, cause: str) -> None:
        """A benefit paid for a loss `back` days ago; a death ends the cover (SPEC §5 "Ended by a claim")."""

        def pay(day: date) -> None:
            amount = max(Decimal("0.01"), (self.policy.remaining_sum_insured / 2).quantize(Decimal("0.01")))
            self.policy.record_claim_payment(f"claim-{cause}", amount, day, loss_on=day - back * DAYS, cause=cause)

        self.dated(pay, True)

    @rule(back=st.sampled_from([0, 1, 10, 45, 70]))
    def pay_by_claim_deduction(self, back: int) -> None:
        """A claim for a loss `back` days ago is paid: the installments owed then and still owed now are
        paid by deduction from it (Art. 36), as application.commands.claims.pay does."""

        def deduct(day: date) -> None:
            _, numbers = self.policy.grace_deduction(day - back * DAYS)
            self.policy.pay_by_claim_deduction("claim-1", numbers or [999], day)

        self.dated(deduct, True)

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def nothing_is_demanded_lapses_or_is_paid_after_a_cover_ended_by_a_claim(self) -> None:
        ended = False
        for event in self.events:
            if isinstance(event, Policy.EndedByClaim):
                ended = True
            elif ended:
                assert not isinstance(
                    event,
                    (
                        Policy.PaymentDemanded,
                        Policy.Lapsed,
                        Policy.PremiumPaid,
                        Policy.Terminated,
                        Policy.Renewed,
                        Policy.RenewalOffered,
                        Policy.Surrendered,
                        Policy.Expired,
                    ),
                ), event
        if ended:
            assert self.policy.status == "terminated" and self.policy.next_due_date() is None

    @invariant()
    def payments_per_cover_never_exceed_its_sum_insured(self) -> None:
        paid: dict[tuple[str, int], Decimal] = {}
        for event in self.events:
            if isinstance(event, Policy.ClaimPaymentRecorded):
                for key, amount in event.by_cover.items():
                    paid[key, event.period] = paid.get((key, event.period), Decimal(0)) + amount
        for (key, _), total in paid.items():
            assert key == "main" and total <= max(si for _, si in self.policy.sum_insured_history)

    @invariant()
    def no_lapse_for_an_installment_deducted_from_a_claim(self) -> None:
        deducted = {e.installment_no for e in self.events if isinstance(e, Policy.InstallmentPaidByClaimDeduction)}
        lapsed = {e.installment_no for e in self.events if isinstance(e, Policy.Lapsed)}
        assert not deducted & lapsed
        for item in self.policy.schedule:
            if item["no"] in deducted:
                assert item["paid_on"] is not None and item.get("method") == "claim deduction"

    @invariant()
    def no_rescission_after_premium_collected_since_learning_the_cause(self) -> None:
        collected: list[date] = []
        for event in self.events:
            if isinstance(event, (Policy.PremiumPaid, Policy.InstallmentPaidByClaimDeduction)):
                collected.append(event.on)
            elif isinstance(event, Policy.Rescinded):
                assert not any(event.learned_on < day for day in collected)

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        replayed = reduce(lambda policy, event: event.mutate(policy), self.events, None)
        assert state_of(replayed) == state_of(self.policy)
        # and from a snapshot of its state halfway, stored and read back (application.loading)
        assert state_of(through_snapshot(self.events, (len(self.events) + 1) // 2)) == state_of(self.policy)
        assert self.policy.status in STATUSES

    @invariant()
    def never_in_force_without_acceptance_and_a_paid_first_premium(self) -> None:
        names = [type(e).__name__ for e in self.events]
        if "Issued" in names:
            issued = names.index("Issued")
            assert any(n in ("Accepted", "ConditionsAccepted") for n in names[:issued])
            assert "PremiumPaid" in names[:issued]
            assert self.policy.schedule[0]["paid_on"] is not None
        else:
            assert "in_force" not in [status for _, status in self.policy.history]

    @invariant()
    def refunds_never_exceed_the_premium_paid(self) -> None:
        paid = refunded = Decimal(0)
        for event in self.events:
            if isinstance(event, (Policy.PremiumPaid, Policy.InstallmentPaidByClaimDeduction)):
                paid += event.amount
            elif isinstance(event, Policy.PremiumRefunded):
                refunded += event.amount
                assert event.amount > 0
            assert refunded <= paid
        assert self.policy.net_premium_paid == paid - refunded >= 0

    @invariant()
    def nothing_leaves_a_terminal_state(self) -> None:
        terminal_at = next((n for n, (_, status) in enumerate(self.policy.history) if status in TERMINAL), None)
        if terminal_at is not None:
            assert terminal_at == len(self.policy.history) - 1
            assert self.policy.next_due_date() is None
        names = [type(e).__name__ for e in self.events]
        ends = [n for n, name in enumerate(names) if name in STATUS_CHANGES and self.events[n].STATUS in TERMINAL]
        if ends:
            assert all(name not in STATUS_CHANGES for name in names[ends[0] + 1 :])

    @invariant()
    def event_dates_never_go_back(self) -> None:
        days = [event_day(e) for e in self.events]
        assert days == sorted(days)
        assert self.policy.business_date == days[-1]

    @invariant()
    def the_status_on_a_past_date_never_changes(self) -> None:
        policy = self.policy
        for day, status in self.seen.items():
            assert policy.status_on(day) == status, day
        candidates = {START - DAYS, policy.business_date}
        for since, _ in policy.history:
            candidates.update({since - DAYS, since, since + DAYS})
        for day in candidates:  # the business date itself may still see more events
            if day < policy.business_date:
                self.seen.setdefault(day, policy.status_on(day))

    @invariant()
    def the_remaining_sum_insured_is_never_negative(self) -> None:
        policy = self.policy
        assert policy.remaining_sum_insured >= 0
        for period in policy.periods:
            for day in (period["start"], period["end"]):
                assert policy.cover_on(day).remaining_sum_insured >= 0


TestPolicyLifecycle = PolicyLifecycle.TestCase


def test_the_policy_state_machine_invariants_hold_through_a_renewal_that_cannot_be_quoted() -> None:
    """A fixed walk (no hypothesis search) through the machine above: issue, pay, reach the offer day
    with a refusing quote, expire; every invariant holds after each step."""
    machine = PolicyLifecycle()
    invariants = [
        getattr(machine, name)
        for name in dir(PolicyLifecycle)
        if hasattr(getattr(PolicyLifecycle, name), "hypothesis_stateful_invariant")
    ]

    def check() -> None:
        for holds in invariants:
            holds()

    def refusing_advance(days: int) -> None:
        machine.today += days * DAYS
        machine.attempt(lambda: machine.policy.advance_time(machine.today, renewal_premium=aged_out))
        check()

    machine.apply((MEDICAL, "annual"), 0)
    check()
    for _ in range(3):  # start underwriting, accept, pay: in force (the clock moves 31 days each)
        machine.proceed()
        check()
    assert machine.policy.status == "in_force" and machine.policy.end_date is not None
    offer_day = machine.policy.end_date - 30 * DAYS
    refusing_advance((offer_day - machine.today).days - 1)
    refusing_advance(1)
    refusing_advance(30)
    machine.renewal(True)  # refused: not renewable
    check()
    refusing_advance(60)

    names = [type(e).__name__ for e in machine.events]
    assert names.count("RenewalNotOffered") == 1 and names[-1] == "Expired"
    assert "RenewalOffered" not in names and len(invariants) >= 6
    assert machine.policy.status == "expired"
