"""A campaign's reference values (guide 2.1 (5) 营销活动策划)."""

from __future__ import annotations

from datetime import date, timedelta

from domain.customer.rules import SEGMENTS

#: The channels a campaign reaches its customers through.
CHANNELS = ("phone", "sms", "email", "online", "app", "event", "visit", "agent")
#: Every customer segment (guide 2.2 客户细分) a campaign may target.
TARGETS = tuple(segment for kind in SEGMENTS.values() for segment in kind)
#: What came of a contact; an `interested` customer is the campaign's prospect.
OUTCOMES = ("interested", "not_interested", "no_answer", "callback")
#: An application is the campaign's when made from its first day to this many days after its last.
ATTRIBUTION_DAYS = 30
#: The longest period a campaign runs, in days (both ends included).
MAX_DAYS = 366
NAME, TEXT = 200, 2000
MAX_PRODUCTS = 20


def attribution_ends(ends_on: date) -> date:
    """The last day an application may be made and still count for a campaign ending on `ends_on`."""
    return ends_on + timedelta(days=ATTRIBUTION_DAYS)
