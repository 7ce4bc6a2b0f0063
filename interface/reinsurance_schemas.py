"""Request models of the reinsurance API (guide 6.1.1 (6); the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, Field

from interface.complaint_schemas import On, Strict
from interface.value_schemas import Money, MoneyOrZero, Text50, Text200, Text2000, _money_schema, money_check

Kind = Literal["quota_share", "surplus", "excess_of_loss"]
Line = Literal["life", "health", "accident", "property", "liability", "credit"]
EntryKind = Literal["premium", "premium_ceded", "claim", "recovery", "received"]
#: A percentage more than 0 and at most 100, at most 2 decimals.
Percent = Annotated[Decimal, AfterValidator(money_check(Decimal(100))), _money_schema(Decimal(100), False)]


class TermsIn(Strict):
    """A treaty's terms: a quota share takes `ceded_pct` (and an optional `capacity` a risk); a surplus `retention`
    and `lines`; an excess of loss `retention`, `limit` and `rate_pct`. A term of another kind is refused."""

    ceded_pct: Percent | None = None
    capacity: Money | None = None
    retention: Money | None = None
    lines: int | None = Field(default=None, ge=1, le=50)
    limit: Money | None = None
    rate_pct: Percent | None = None


class ReinsurerIn(Strict):
    reinsurer: Text200
    share_pct: Percent


class TreatyIn(On):
    """再保险合同: a treaty for some lines or products (at least one), in effect from `effective_from` to
    `effective_to` (at most five years), with its reinsurers' shares summing to 100. The caller concludes it."""

    name: Text200
    kind: Kind
    lines: list[Line] = Field(default_factory=list, max_length=6)
    product_codes: list[Text50] = Field(default_factory=list, max_length=20)
    terms: TermsIn
    reinsurers: list[ReinsurerIn] = Field(min_length=1, max_length=20)
    effective_from: date
    effective_to: date


class EndTreatyIn(On):
    """End the treaty early: risks whose cover starts after `ends_on` (not before `on`) no longer attach."""

    ends_on: date
    reason: Text2000


class RecoveryReceivedIn(On):
    """A reinsurer of the treaty paid `amount` of the recoveries due."""

    reinsurer: Text200
    amount: Money
    reference: Text200


class PlacementIn(On):
    """临时分保: part of a referred risk beyond every treaty's capacity placed with a reinsurer, for a premium."""

    policy_id: UUID
    reinsurer: Text200
    sum_insured: Money
    premium: MoneyOrZero
