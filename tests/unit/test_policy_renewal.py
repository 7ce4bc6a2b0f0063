"""A renewal that cannot be quoted (SPEC §5 Renewal, §11): when the renewal offer falls due and the
product's rules refuse the insured now (aged out, product withdrawn), the policy records that it is
not renewable, with the reason, and expires at the end of its term: never an error."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from eventsourcing.utils import get_topic

from domain.policy.aggregate import Policy
from domain.policy.events import RenewalNotOffered
from tests.builders.policies import MEDICAL, D, aged_out, in_force, new_events, refused

DAYS = timedelta(days=1)
END = D(2025, 1, 9)  # last day of a 12-month policy from START
OFFER_DAY = END - 30 * DAYS


def test_a_renewal_that_cannot_be_quoted_is_recorded_as_not_offered_and_the_policy_expires_at_term_end() -> None:
    policy = in_force(MEDICAL)
    assert policy.next_due_date() == OFFER_DAY

    policy.advance_time(OFFER_DAY, renewal_premium=aged_out)

    [recorded] = policy.collect_events()
    event = cast(RenewalNotOffered, recorded)
    assert get_topic(type(event)) == "inscribe.policy.RenewalNotOffered.v1"
    assert (event.on, event.field, event.reason) == (OFFER_DAY, "age", "age must be between 18 and 60")
    assert (policy.status, policy.renewable, policy.renewal_offer) == ("in_force", False, None)
    assert policy.renewal_refusal == {"on": OFFER_DAY, "field": "age", "reason": "age must be between 18 and 60"}
    assert policy.next_due_date() == END + DAYS  # the expiry, not another offer
    refused(policy, lambda: policy.offer_renewal(OFFER_DAY + DAYS, Decimal("1300")), code="not-renewable")

    policy.advance_time(END, renewal_premium=aged_out)
    assert new_events(policy) == []  # asked once: nothing more until the term ends
    policy.advance_time(END + DAYS, renewal_premium=aged_out)

    assert new_events(policy) == ["Expired"]
    assert (policy.status_on(END), policy.status_on(END + DAYS)) == ("in_force", "expired")
    assert policy.closing_reason == "not renewable: age must be between 18 and 60"


def test_time_brought_past_the_term_at_once_records_not_renewable_then_the_expiry() -> None:
    policy = in_force(MEDICAL)

    policy.advance_time(END + 5 * DAYS, renewal_premium=aged_out)

    assert new_events(policy) == ["RenewalNotOffered", "Expired"]
    assert policy.status == "expired"


def test_dated_commands_work_on_a_policy_whose_renewal_could_not_be_quoted() -> None:
    policy = in_force(MEDICAL)
    policy.advance_time(OFFER_DAY + 3 * DAYS, renewal_premium=aged_out)
    policy.collect_events()

    policy.change("contacts", {"contacts": {"phone": "13800138000"}}, "DOC-1", OFFER_DAY + 3 * DAYS)

    assert new_events(policy) == ["PolicyChanged"]


def test_only_a_refusal_by_the_products_rules_means_not_renewable_any_other_failure_is_raised() -> None:
    policy = in_force(MEDICAL)

    def broken() -> tuple[Any, Any]:
        raise RuntimeError("the database is down")

    with pytest.raises(RuntimeError):
        policy.advance_time(OFFER_DAY, renewal_premium=broken)
    assert (policy.pending_events, policy.renewal_refusal) == ([], None)


def test_a_quotable_renewal_is_still_offered() -> None:
    policy = in_force(MEDICAL)

    policy.advance_time(OFFER_DAY, renewal_premium=lambda: (Decimal("1300"), None))

    assert new_events(policy) == ["RenewalOffered"]
    assert policy.renewal_refusal is None


def test_the_not_renewable_event_replays_to_the_same_state() -> None:
    policy, copy = in_force(MEDICAL), in_force(MEDICAL)
    policy.advance_time(END + DAYS, renewal_premium=aged_out)
    recorded = policy.collect_events()

    for event in recorded:  # the same events applied to a policy in the same state
        event.apply(copy)

    assert [type(e) for e in recorded] == [Policy.RenewalNotOffered, Policy.Expired]
    assert (copy.status, copy.renewal_refusal, copy.closing_reason, copy.next_due_date()) == (
        policy.status,
        policy.renewal_refusal,
        policy.closing_reason,
        policy.next_due_date(),
    )
