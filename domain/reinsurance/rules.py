"""What a treaty cedes of a risk (guide 6.1.1 (6) 有效利用再保险支持). Pure functions over plain values.

A treaty covers the policies of some lines or products that start within its effective period (risks
attaching), under one of three forms, applied to a risk in this order:

- **quota share** (成数分保): `ceded_pct` of every risk's sum insured and premium, up to `capacity` of sum
  insured a risk (none: no cap);
- **surplus** (溢额分保): the sum insured above the insurer's `retention` (what the quota shares left), up to
  `lines` times the retention; the premium in the same proportion. What is beyond retention plus capacity stays
  with the insurer unless placed facultatively: `Cession.beyond_capacity`;
- **per-risk excess of loss** (险位超赔): the reinsurer pays each risk's loss (net of the proportional shares)
  above `retention`, up to `limit`; the insurer pays `rate_pct` of the risk's premium for it. Its "ceded sum
  insured" is the part of the net sum insured inside the layer, the most it can recover on the risk.

Each treaty's share is split between its reinsurers by their `share_pct` (summing to 100); amounts are
exact to the cent, the last reinsurer taking what rounding leaves, so the shares sum to the treaty's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.errors import InvalidValue
from domain.values import CENT, check_money, check_text, parse_decimal

KINDS = ("quota_share", "surplus", "excess_of_loss")
#: The longest a treaty runs, in days (both ends included): five years.
MAX_DAYS = 1827
MAX_REINSURERS = 20
MAX_SCOPE = 20
MAX_LINES = 50  # a surplus treaty's capacity, in lines of retention
NAME, TEXT = 200, 2000
HUNDRED = Decimal(100)


def check_pct(value: Any, field: str) -> Decimal:
    """A percentage more than 0 and at most 100, with at most 2 decimal places."""
    pct = parse_decimal(value, field)
    if not 0 < pct <= HUNDRED:
        raise InvalidValue(field, "must be more than 0 and at most 100")
    if pct.quantize(CENT) != pct:
        raise InvalidValue(field, "must have at most 2 decimal places")
    return pct.quantize(CENT)


def check_terms(kind: str, terms: dict[str, Any]) -> dict[str, Any]:
    """A treaty's terms for its `kind`, each checked (the terms another kind takes are refused)."""
    wanted = {
        "quota_share": {"ceded_pct", "capacity"},
        "surplus": {"retention", "lines"},
        "excess_of_loss": {"retention", "limit", "rate_pct"},
    }[kind]
    given = {k for k, v in terms.items() if v is not None}
    for extra in sorted(given - wanted):
        raise InvalidValue(extra, f"is not a term of a {kind.replace('_', ' ')} treaty")
    for missing in sorted(wanted - given - {"capacity"}):
        raise InvalidValue(missing, f"a {kind.replace('_', ' ')} treaty needs it")
    checked: dict[str, Any] = {}
    if kind == "quota_share":
        checked["ceded_pct"] = check_pct(terms["ceded_pct"], "ceded_pct")
        if terms.get("capacity") is not None:
            checked["capacity"] = check_money(terms["capacity"], "capacity")
    else:
        checked["retention"] = check_money(terms["retention"], "retention")
    if kind == "surplus":
        lines = terms["lines"]
        if isinstance(lines, bool) or not isinstance(lines, int) or not 1 <= lines <= MAX_LINES:
            raise InvalidValue("lines", f"must be a whole number from 1 to {MAX_LINES}")
        checked["lines"] = lines
    if kind == "excess_of_loss":
        checked["limit"] = check_money(terms["limit"], "limit")
        checked["rate_pct"] = check_pct(terms["rate_pct"], "rate_pct")
    return checked


def check_reinsurers(value: Any) -> list[dict[str, Any]]:
    """The reinsurers and their shares of the treaty: each named once, shares summing to exactly 100."""
    if not isinstance(value, list) or not value:
        raise InvalidValue("reinsurers", "name at least one reinsurer and its share")
    if len(value) > MAX_REINSURERS:
        raise InvalidValue("reinsurers", f"at most {MAX_REINSURERS} reinsurers")
    found: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise InvalidValue(f"reinsurers[{i}]", "must name a reinsurer and its share_pct")
        name = check_text(item.get("reinsurer"), f"reinsurers[{i}].reinsurer", NAME)
        found.append({"reinsurer": name, "share_pct": check_pct(item.get("share_pct"), f"reinsurers[{i}].share_pct")})
    if len({r["reinsurer"] for r in found}) != len(found):
        raise InvalidValue("reinsurers", "name each reinsurer once")
    total = sum((r["share_pct"] for r in found), Decimal(0))
    if total != HUNDRED:
        raise InvalidValue("reinsurers", f"the shares must sum to 100 (they sum to {total})")
    return found


@dataclass(frozen=True)
class TreatyTerms:
    """A treaty as a cession reads it."""

    treaty_id: str
    name: str
    kind: str
    terms: dict[str, Any]
    reinsurers: list[dict[str, Any]]


@dataclass(frozen=True)
class Ceded:
    """What one treaty takes of a risk, and each reinsurer's part of it."""

    treaty_id: str
    name: str
    kind: str
    terms: dict[str, Any]
    sum_insured: Decimal
    premium: Decimal
    shares: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Cession:
    """A risk's cession: each treaty's part, what the insurer keeps, and what no treaty's capacity holds."""

    ceded: list[Ceded]
    retained: Decimal
    beyond_capacity: Decimal


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def shares_of(reinsurers: Sequence[dict[str, Any]], amount: Decimal) -> list[Decimal]:
    """Each reinsurer's part of `amount` by its `share_pct`, to the cent; the last takes what rounding leaves."""
    parts = [_cents(amount * r["share_pct"] / HUNDRED) for r in reinsurers[:-1]]
    return [*parts, amount - sum(parts, Decimal(0))]


def split(reinsurers: list[dict[str, Any]], sum_insured: Decimal, premium: Decimal) -> list[dict[str, Any]]:
    """Each reinsurer's part of a treaty's sum insured and premium."""
    return [
        {"reinsurer": r["reinsurer"], "share_pct": r["share_pct"], "sum_insured": si, "premium": pr}
        for r, si, pr in zip(
            reinsurers, shares_of(reinsurers, sum_insured), shares_of(reinsurers, premium), strict=True
        )
    ]


def cede(treaties: Sequence[TreatyTerms], sum_insured: Decimal, premium: Decimal) -> Cession:
    """The cession of a risk of `sum_insured` and `premium` under the treaties that cover it."""
    order = {kind: n for n, kind in enumerate(KINDS)}
    ceded: list[Ceded] = []
    remaining = sum_insured
    retention: Decimal | None = None  # the insurer's own retention, where a surplus treaty sets one
    for t in sorted(treaties, key=lambda t: (order[t.kind], t.treaty_id)):
        if t.kind == "quota_share":
            si = _cents(sum_insured * t.terms["ceded_pct"] / HUNDRED)
            if t.terms.get("capacity") is not None:
                si = min(si, t.terms["capacity"])
            si = min(si, remaining)
        elif t.kind == "surplus":
            own = t.terms["retention"]
            si = min(max(remaining - own, Decimal(0)), own * t.terms["lines"])
            retention = own if retention is None else min(retention, own)
        else:  # excess of loss: the layer of the net sum insured; no sum insured leaves the insurer
            low, limit = t.terms["retention"], t.terms["limit"]
            layer = min(max(remaining - low, Decimal(0)), limit)
            pr = _cents(premium * t.terms["rate_pct"] / HUNDRED)
            ceded.append(Ceded(t.treaty_id, t.name, t.kind, t.terms, layer, pr, split(t.reinsurers, layer, pr)))
            continue
        pr = _cents(premium * si / sum_insured) if sum_insured else Decimal("0.00")
        remaining -= si
        ceded.append(Ceded(t.treaty_id, t.name, t.kind, t.terms, si, pr, split(t.reinsurers, si, pr)))
    beyond = max(remaining - retention, Decimal(0)) if retention is not None else Decimal(0)
    return Cession(ceded, remaining, _cents(beyond))


def covers(scope_lines: Sequence[str], scope_products: Sequence[str], line: str, product_code: str) -> bool:
    """Whether a treaty of these lines and products covers a policy of `line` and `product_code`."""
    return line in scope_lines or product_code in scope_products


def in_effect(effective_from: date, effective_to: date, ended_on: date | None, starts_on: date) -> bool:
    """Whether a risk starting on `starts_on` attaches to a treaty in effect from `effective_from` to
    `effective_to` (both included), or to `ended_on` if it was ended early."""
    last = effective_to if ended_on is None else min(effective_to, ended_on)
    return effective_from <= starts_on <= last


def proportion(part: Decimal, whole: Decimal) -> Decimal:
    """`part` ÷ `whole` (0 when `whole` is 0), exact enough for cents of any amount the product stores."""
    return part / whole if whole else Decimal(0)


def recoverable(ceded: Sequence[dict[str, Any]], sum_insured: Decimal, paid_total: Decimal) -> dict[str, Decimal]:
    """What each treaty owes on a claim of which `paid_total` has been paid, under a cession's treaties
    (`ceded`: each treaty's kind, terms and ceded sum insured, as the cession recorded them): a proportional
    treaty its share of the sum insured, of every payment; an excess of loss treaty the part of the loss net of
    the proportional shares above its retention, up to its limit. Cumulative: a payment's recoveries are what
    is owed after it less what was owed before it, so they add up to the cents of the whole."""
    proportional = sum((Decimal(c["sum_insured"]) for c in ceded if c["kind"] != "excess_of_loss"), Decimal(0))
    net = paid_total - paid_total * proportion(proportional, sum_insured)
    owed: dict[str, Decimal] = {}
    for c in ceded:
        if c["kind"] == "excess_of_loss":
            low, limit = Decimal(c["terms"]["retention"]), Decimal(c["terms"]["limit"])
            owed[c["treaty_id"]] = _cents(min(max(net - low, Decimal(0)), limit))
        else:
            owed[c["treaty_id"]] = _cents(paid_total * proportion(Decimal(c["sum_insured"]), sum_insured))
    return owed
