"""Random claim lifecycles: valid and invalid commands on dates moving forward.

The policy is simulated the way the application layer runs it: every payment is reported to the
policy, so the cover on the loss date shows the sum insured that remained then less what the claim
has paid. Invariants: the total paid never exceeds the sum insured that remained on the loss date;
the reserve is never negative; no final payment without an approval (advances aside), and never more
than approved; the decision clock never counts the days documents were missing after the notice;
replaying the collected events gives the live state; the status and the clocks on a past day never
change as later events are added; event dates never go back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.calendar import last_day
from domain.claim.aggregate import STATUSES, Claim
from domain.claim.rules import DECISION_DAYS, ClaimClocks
from domain.errors import DomainError
from domain.policy.state import CoverSnapshot

LOSS = date(2024, 2, 20)
START = date(2024, 3, 1)
DAYS = timedelta(days=1)
DOCS = ["claim_form", "id_proof", "loss_list"]
STEPS = st.sampled_from([0, 0, 1, 1, 2, 3, 5, 7, 10, 20, 29, 30, 31, 61])
AMOUNTS = st.sampled_from(["0", "400", "5000", "15000", "48000", "60000", "120000"])
ROLES = st.sampled_from(["claims_handler", "claims_handler", "claims_manager", "agent"])


def state_of(claim: Claim) -> dict[str, Any]:
    return {k: v for k, v in vars(claim).items() if k != "_pending_events"}


def event_day(event: Any) -> date:
    return event.reported_on if isinstance(event, Claim.Reported) else event.on


class ClaimLifecycle(RuleBasedStateMachine):
    """Every command either records its events or is refused with a domain error and records nothing."""

    claim: Claim

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []
        self.today = START
        self.seen: dict[date, tuple[str | None, ClaimClocks]] = {}
        self.remaining_at_loss = Decimal(0)
        self.terms: dict[str, Any] = {}
        self.advances: list[tuple[str, Decimal]] = []  # (paying role, paid total after) of each advance

    @initialize(
        remaining=st.sampled_from(["20000", "50000", "100000"]),
        deductible=st.sampled_from(["0", "500"]),
        ratio=st.sampled_from(["1", "0.9"]),
        grace=st.booleans(),
    )
    def report(self, remaining: str, deductible: str, ratio: str, grace: bool) -> None:
        self.remaining_at_loss = Decimal(remaining)
        self.terms = dict(
            deductible=Decimal(deductible),
            payout_ratio=Decimal(ratio),
            in_grace=grace,
            premium_owed=Decimal("300.00") if grace else Decimal("0.00"),
        )
        self.claim = Claim.report(
            policy_id="pol-1",
            policy_number="P1",
            claimant_id="cust-1",
            claimant_role="insured",
            loss_date=LOSS,
            cause="fire",
            description="fire",
            estimated_amount="15000",
            initial_reserve="15000",
            reported_on=START,
            line="property",
            required_documents=DOCS,
        )
        self.events.extend(self.claim.collect_events())

    def cover(self, covered: bool = True) -> CoverSnapshot:
        """The policy on the loss date as the application would load it now."""
        return CoverSnapshot(
            on=LOSS,
            status="in_force",
            in_force=True,
            policy_number="P1",
            product_code="HOME",
            product_version=1,
            line="property",
            riders=(),
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            waiting_period_end=date(2024, 1, 1),
            in_waiting_period=False,
            sum_insured=self.remaining_at_loss,
            remaining_sum_insured=self.remaining_at_loss - self.claim.paid_total,
            covered_causes=("fire",) if covered else ("flood",),
            exclusions=("war",),
            rescinded=False,
            rescission_ground=None,
            no_liability_before=None,
            **self.terms,
        )

    def attempt(self, command: Callable[[], object]) -> None:
        version = self.claim.version
        try:
            command()
        except DomainError:
            assert self.claim.pending_events == []
            assert self.claim.version == version
            return
        new = self.claim.collect_events()
        assert [e.originator_version for e in new] == list(range(version + 1, version + 1 + len(new)))
        self.events.extend(new)

    def dated(self, command: Callable[[date], object], catch_up: bool = True) -> None:
        """Run a dated command today, usually after recording what time has caused."""
        if catch_up:
            self.attempt(lambda: self.claim.advance_time(self.today))
        self.attempt(lambda: command(self.today))

    # -- time ------------------------------------------------------------------------------------

    @rule(days=STEPS)
    def advance(self, days: int) -> None:
        self.today += days * DAYS
        self.attempt(lambda: self.claim.advance_time(self.today))

    @rule()
    def proceed(self) -> None:
        """The natural next step, so that runs get far."""
        c = self.claim
        missing = c.missing_documents
        steps: dict[str, Callable[[date], object]] = {
            "reported": (lambda d: c.receive_document(missing[0], d)) if missing else c.accept,
            "documents_pending": (lambda d: c.receive_document(missing[0], d)) if missing else c.accept,
            "accepted": lambda d: c.record_investigation("site_survey", "inv-1", "seen", d),
            "investigating": lambda d: c.assess(
                [{"description": "loss", "claimed": "20000", "assessed": "15000"}], "assessor-1", d
            ),
            "reopened": lambda d: c.assess(
                [{"description": "more", "claimed": "9000", "assessed": "8000"}], "assessor-1", d
            ),
            "approved": (lambda d: c.pay(c.outstanding, d, "bank") if c.outstanding else c.close(d))
            if c.amount_agreed or not c.outstanding
            else c.agree_assessment,
            "paid": c.confirm_receipt if c.receipt_confirmed_on is None else c.close,
            "rejected": c.send_rejection_notice if (c.rejection or {}).get("notice_on") is None else c.close,
            "closed": lambda d: c.reopen("new facts", d),
        }
        assessment = c.assessment
        if c.status in ("assessed", "advance_paid") and assessment is not None:
            if assessment["notified_on"] is None:
                steps[c.status] = c.notify_assessment
            elif not c.amount_agreed:
                steps[c.status] = c.agree_assessment
            else:
                steps[c.status] = lambda d: c.approve(
                    cover=self.cover(), deciding_role="claims_manager", decided_by="mgr", on=d
                )
        if c.status in steps:
            self.dated(steps[c.status])
        self.today += 2 * DAYS

    # -- documents -------------------------------------------------------------------------------

    @rule(code=st.sampled_from([*DOCS, "extra"]), catch_up=st.booleans())
    def receive_document(self, code: str, catch_up: bool) -> None:
        self.dated(lambda d: self.claim.receive_document(code, d), catch_up)

    @rule(reason=st.sampled_from([None, None, "asked again"]))
    def notify_missing(self, reason: str | None) -> None:
        self.dated(lambda d: self.claim.notify_missing_documents(d, reason))

    @rule()
    def accept(self) -> None:
        self.dated(self.claim.accept)

    # -- handling --------------------------------------------------------------------------------

    @rule(activity=st.sampled_from(["site_survey", "interview", "cause_and_liability", "records_review"]))
    def investigate(self, activity: str) -> None:
        self.dated(lambda d: self.claim.record_investigation(activity, "inv-1", "noted", d))

    @rule(indicator=st.sampled_from(["frequent-claims", "claim-near-sum-insured"]))
    def flag(self, indicator: str) -> None:
        self.dated(lambda d: self.claim.raise_fraud_flag(indicator, "automatic", d))

    @rule(assessed=AMOUNTS)
    def assess(self, assessed: str) -> None:
        items = [{"description": "loss", "claimed": "120000", "assessed": assessed}]
        self.dated(lambda d: self.claim.assess(items, "assessor-1", d))

    @rule()
    def notify_assessment(self) -> None:
        self.dated(self.claim.notify_assessment)

    @rule(agree=st.booleans())
    def respond_to_assessment(self, agree: bool) -> None:
        if agree:
            self.dated(self.claim.agree_assessment)
        else:
            self.dated(lambda d: self.claim.dispute_assessment("too low", d))

    @rule(role=ROLES, covered=st.sampled_from([True, True, True, False]), catch_up=st.booleans())
    def approve(self, role: str, covered: bool, catch_up: bool) -> None:
        self.dated(
            lambda d: self.claim.approve(cover=self.cover(covered), deciding_role=role, decided_by="x", on=d), catch_up
        )

    @rule(catch_up=st.booleans(), really=st.sampled_from([False, False, True]))
    def reject(self, catch_up: bool, really: bool) -> None:
        """Rarely, so that runs also reach approval and payment."""
        if really:
            self.dated(lambda d: self.claim.reject(["not covered"], "mgr", d), catch_up)

    @rule()
    def send_rejection_notice(self) -> None:
        self.dated(self.claim.send_rejection_notice)

    # -- money -----------------------------------------------------------------------------------

    @rule(amount=st.sampled_from(["0", "100", "5000", "30000"]))
    def set_reserve(self, amount: str) -> None:
        self.dated(lambda d: self.claim.set_reserve(amount, "review", d))

    @rule(share=st.sampled_from(["0.5", "1", "1.01"]), extra=st.sampled_from(["0", "0.01", "1000"]))
    def pay_final(self, share: str, extra: str) -> None:
        amount = (self.claim.outstanding * Decimal(share)).quantize(Decimal("0.01")) + Decimal(extra)
        self.dated(lambda d: self.claim.pay(max(amount, Decimal("0.01")), d, "bank"))

    @rule(amount=AMOUNTS, determinable=AMOUNTS, covered=st.sampled_from([True, True, False]), role=ROLES)
    def pay_advance(self, amount: str, determinable: str, covered: bool, role: str) -> None:
        before = len(self.events)
        self.dated(
            lambda d: self.claim.pay(
                amount,
                d,
                "bank",
                "advance",
                determinable_amount=determinable,
                paying_role=role,
                cover=self.cover(covered),
            )
        )
        if any(isinstance(e, Claim.Paid) and e.kind == "advance" for e in self.events[before:]):
            self.advances.append((role, self.claim.paid_total))

    @rule()
    def confirm_receipt(self) -> None:
        self.dated(self.claim.confirm_receipt)

    @rule()
    def close(self) -> None:
        self.dated(self.claim.close)

    @rule()
    def reopen(self) -> None:
        self.dated(lambda d: self.claim.reopen("new facts", d))

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        replayed = reduce(lambda claim, event: event.mutate(claim), self.events, None)
        assert state_of(replayed) == state_of(self.claim)
        assert self.claim.status in STATUSES

    @invariant()
    def the_total_paid_never_exceeds_the_sum_insured_remaining_on_the_loss_date(self) -> None:
        paid = sum((e.amount for e in self.events if isinstance(e, Claim.Paid)), Decimal(0))
        assert paid == self.claim.paid_total <= self.remaining_at_loss

    @invariant()
    def the_reserve_is_never_negative(self) -> None:
        assert self.claim.reserve >= 0
        for event in self.events:
            if isinstance(event, Claim.Paid):
                assert event.reserve_after >= 0
            if isinstance(event, Claim.ReserveAdjusted):
                assert event.amount >= 0

    @invariant()
    def no_final_payment_without_approval(self) -> None:
        approved: Decimal | None = None
        for event in self.events:
            if isinstance(event, (Claim.Reported, Claim.Reopened)):
                approved = None
            elif isinstance(event, Claim.Approved):
                approved = event.payable
            elif isinstance(event, Claim.Paid) and event.kind == "final":
                assert approved is not None and event.amount <= approved
                approved -= event.amount

    @invariant()
    def the_decision_clock_never_counts_paused_days(self) -> None:
        notice = last_document = decided = None
        for event in self.events:
            if isinstance(event, Claim.Reopened):
                break
            if isinstance(event, Claim.MissingDocumentsNotified) and event.notice_no == 1:
                notice = event.on
            elif isinstance(event, Claim.DocumentReceived) and notice and not event.missing_after and not last_document:
                last_document = event.on
            elif isinstance(event, (Claim.Approved, Claim.Rejected)) and decided is None:
                decided = event.on  # the first decision stops the clock (a disputed one is decided again)
        first_reopening = next((e.on for e in self.events if isinstance(e, Claim.Reopened)), None)
        days = {START, self.claim.business_date, self.today}
        days.update(event_day(e) for e in self.events)
        for day in sorted(days):
            if first_reopening is not None and day >= first_reopening:
                break
            clock = self.claim.clocks_on(day).decision
            read = decided if decided is not None and decided <= day else day
            paused = 0 if notice is None else max(0, (min(read, last_document or read) - notice).days)
            assert clock.paused_days == paused
            assert clock.days_used == (read - START).days - paused
            # the count gives the nominal last day; a rest day moves it to the next working day (Civil Code
            # Art. 203), and the clock is breached only after that
            assert clock.nominal_due_on == START + (DECISION_DAYS + paused) * DAYS
            assert clock.due_on == last_day(clock.nominal_due_on).due
            moved = (clock.due_on - clock.nominal_due_on).days
            assert clock.breached == (clock.days_used > DECISION_DAYS + moved)
        for event in self.events:
            if isinstance(event, Claim.ClockBreached):
                assert event.on == event.due_on + DAYS

    @invariant()
    def no_advance_beyond_the_payers_authority(self) -> None:
        for role, paid_total in self.advances:
            assert role in ("claims_handler", "claims_manager")
            assert role == "claims_manager" or paid_total <= Decimal(50000)

    @invariant()
    def the_first_decision_stops_the_decision_clock_and_payment_waits_for_agreement(self) -> None:
        """Art. 23: the claimant's time to agree or dispute never counts against the decision clock; the
        payment clock starts at the agreement, and no final payment comes before it."""
        rounds: list[dict[str, Any]] = []
        for event in self.events:
            if isinstance(event, (Claim.Reported, Claim.Reopened)):
                rounds.append({"start": event_day(event), "decided": None, "agreed": False})
            elif isinstance(event, (Claim.Approved, Claim.Rejected)) and rounds[-1]["decided"] is None:
                rounds[-1]["decided"] = event.on
            elif isinstance(event, Claim.AssessmentAgreed):
                rounds[-1]["agreed"] = True
            elif isinstance(event, Claim.AssessmentDisputed):
                assert not rounds[-1]["agreed"]
            elif isinstance(event, Claim.Paid) and event.kind == "final":
                assert rounds[-1]["agreed"]
        for number, round_ in enumerate(rounds, start=1):
            if round_["decided"] is not None and number == self.claim.round:
                assert self.claim.clocks_on(self.claim.business_date).decision.met_on == round_["decided"]

    @invariant()
    def event_dates_never_go_back(self) -> None:
        days = [event_day(e) for e in self.events]
        assert days == sorted(days)
        assert self.claim.business_date == days[-1]

    @invariant()
    def the_past_never_changes(self) -> None:
        claim = self.claim
        for day, (status, clocks) in self.seen.items():
            assert claim.status_on(day) == status, day
            assert claim.clocks_on(day) == clocks, day
        candidates = {START, claim.business_date - DAYS}
        for since, _ in claim.history:
            candidates.update({since, since + DAYS})
        for day in candidates:  # the business date itself may still see more events
            if START <= day < claim.business_date:
                self.seen.setdefault(day, (claim.status_on(day), claim.clocks_on(day)))


TestClaimLifecycle = ClaimLifecycle.TestCase
