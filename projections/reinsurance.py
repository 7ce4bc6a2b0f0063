"""The reinsurance registers (guide 6.1.1 (6) 有效利用再保险支持): treaties, each policy's cession, each claim's
recoveries, and the ledger of money ceded and recovered that the bordereaux and the net loss ratio read.

- `reinsurance_treaties`: one versioned row per treaty (its terms, reinsurers, period, what was received).
- `policy_cessions`: one versioned row per policy once issued, figured after each of its events under the treaties
  covering its line or product in effect on the day its current period began (risks attaching), as they stand
  then (domain.reinsurance.rules.cede): what each treaty and reinsurer takes of its sum insured and premium, what
  the insurer keeps, and what is beyond every treaty's capacity.
- `claim_recoveries`: one versioned row per claim: what each treaty and reinsurer owes on what was paid, under the
  policy's cession at each payment (domain.reinsurance.rules.recoverable).
- `reinsurance_entries`: append-only, the money: `premium` (premium received net of refunds, every issued
  policy), `premium_ceded` (each treaty and reinsurer's share of it), `claim` (each claim payment), `recovery`
  (each treaty and reinsurer's share of it) and `received` (a reinsurer's settlement). Premium is ceded as it is
  received: after each policy event, each share's total is brought to the premium received so far times the
  share's part of the annual premium; a recovery is what is owed after a payment less what was owed before it.

Applied in the log's order (a cession reads the treaties as they stand at its event), so a rebuild writes exactly
the rows the live projection wrote.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import select

from domain.claim.aggregate import Claim
from domain.policy.aggregate import Policy
from domain.reinsurance.aggregate import Treaty
from domain.reinsurance.rules import (
    Ceded,
    Cession,
    TreatyTerms,
    cede,
    covers,
    in_effect,
    proportion,
    recoverable,
    shares_of,
)
from domain.values import money
from projections.aggregates import AggregateCache, shared_cache
from projections.base import Batch, Projection
from projections.policies import POLICY_CACHE_SIZE
from projections.reinsurance_registers import CESSIONS, ENTRIES, RECOVERIES, TREATIES
from projections.reinsurance_tables import claim_recoveries, policy_cessions, reinsurance_entries, reinsurance_treaties

ZERO = Decimal("0.00")


def plain(value: Any) -> Any:
    """A value as JSON keeps it: amounts and percentages as strings, dates as ISO strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def treaty_row(treaty: Treaty) -> dict[str, Any]:
    received = {name: treaty.received.get(name, ZERO) for name in (r["reinsurer"] for r in treaty.reinsurers)}
    return {
        "version": treaty.version,
        "name": treaty.name,
        "kind": treaty.kind,
        "lines": list(treaty.lines),
        "product_codes": list(treaty.product_codes),
        "terms": plain(treaty.terms),
        "reinsurers": [plain({**r, "received": received[r["reinsurer"]]}) for r in treaty.reinsurers],
        "effective_from": treaty.effective_from,
        "effective_to": treaty.effective_to,
        "ended_on": treaty.ended_on,
        "end_reason": treaty.end_reason,
        "status": treaty.status,
        "concluded_on": treaty.concluded_on,
        "concluded_by": treaty.by,
        "received_total": sum(received.values(), ZERO),
        "last_event_on": treaty.business_date,
    }


def terms_of(treaty_id: str, row: dict[str, Any]) -> TreatyTerms:
    """A treaty register row as the cession rules read it (amounts back to Decimal)."""
    terms = {k: v if k == "lines" else Decimal(v) for k, v in row["terms"].items()}
    shares = [{"reinsurer": r["reinsurer"], "share_pct": Decimal(r["share_pct"])} for r in row["reinsurers"]]
    return TreatyTerms(treaty_id, row["name"], row["kind"], terms, shares)


def with_placements(cession: Cession, placements: list[dict[str, Any]]) -> Cession:
    """A cession with the policy's facultative placements (domain.policy.facultative) after the treaties: each takes
    its sum insured from what the insurer keeps beyond the treaties' capacity, for its premium."""
    placed: list[Ceded] = []
    for p in placements:
        si, premium = Decimal(p["sum_insured"]), Decimal(p["premium"])
        share = {"reinsurer": p["reinsurer"], "share_pct": Decimal(100), "sum_insured": si, "premium": premium}
        placed.append(
            Ceded(f"facultative-{p['no']}", f"facultative {p['no']}", "facultative", {}, si, premium, [share])
        )
    total = sum((c.sum_insured for c in placed), ZERO)
    beyond = max(cession.beyond_capacity - total, ZERO)
    return Cession([*cession.ceded, *placed], cession.retained - total, beyond)


def ledger_id(treaty_id: str) -> str:
    """The ledger's treaty of a share: the treaty's id, or `facultative` for every facultative placement (one
    group in the bordereau, by reinsurer within it)."""
    return "facultative" if treaty_id.startswith("facultative-") else treaty_id


def _moved(before: dict[str, str], after: dict[str, Decimal]) -> dict[str, Decimal]:
    """Each share's change from `before` (as stored) to `after` (a share in one only counts from 0)."""
    moved = {k: v - Decimal(before.get(k, "0")) for k, v in after.items()}
    moved.update({k: -Decimal(v) for k, v in before.items() if k not in after})
    return {k: v for k, v in moved.items() if v}


class ReinsuranceProjection(Projection):
    """Keeps the treaties, the policies' cessions, the claims' recoveries and the ledger of reinsurance money."""

    handles = (Treaty.Event, Policy.Event, Claim.Reported, Claim.Paid)
    name = "reinsurance"
    tables = (reinsurance_treaties, policy_cessions, claim_recoveries, reinsurance_entries)
    registers = (TREATIES, CESSIONS, RECOVERIES, ENTRIES)  # what the API reads of them

    def bind(self, app: Any) -> None:
        super().bind(app)
        self.treaties = AggregateCache(app)
        self.policies = shared_cache(app, "policy", POLICY_CACHE_SIZE)
        self._batch: Batch | None = None
        self._treaty_ids: set[str] = set()
        self._entry_at: tuple[Batch | None, int, int] = (None, 0, 0)  # (batch, position, entries written for it)

    def keys(self, event: DomainEventProtocol[Any]) -> list[str]:
        return [str(event.originator_id)]

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        policies = [str(e.originator_id) for e, _ in events if isinstance(e, Policy.Event)]
        batch.versioned(policy_cessions).preload(policies)
        claims = [str(e.originator_id) for e, _ in events if isinstance(e, Claim.Paid)]
        batch.versioned(claim_recoveries).preload(claims)

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if isinstance(event, Treaty.Event):
            treaty = cast(Treaty, self.treaties.apply(event))
            self._known(batch).add(str(treaty.id))
            batch.versioned(reinsurance_treaties).put(str(treaty.id), treaty_row(treaty), position)
            if isinstance(event, Treaty.RecoveryReceived):
                self._entry(
                    batch,
                    position,
                    event.on,
                    "received",
                    -event.amount,
                    treaty_id=str(treaty.id),
                    reinsurer=event.reinsurer,
                )
        elif isinstance(event, Policy.Event):
            self._cede(cast(Policy, self.policies.apply(event)), position, batch)
        elif isinstance(event, Claim.Reported):
            row = {
                "claim_number": event.claim_number,
                "policy_id": event.policy_id,
                "paid_total": ZERO,
                "owed": {},
                "owed_total": ZERO,
                "last_event_on": event.reported_on,
            }
            batch.versioned(claim_recoveries).put(str(event.originator_id), row, position)
        elif isinstance(event, Claim.Paid):
            self._recover(event, position, batch)

    def forget(self) -> None:
        self.treaties.forget()
        self._batch = None

    # -- treaties in force, as they stand at this event --------------------------------------------------

    def _known(self, batch: Batch) -> set[str]:
        """The ids of every treaty (read once a batch; then kept as the batch concludes more)."""
        if self._batch is not batch:
            t = reinsurance_treaties.c
            ids = batch.conn.execute(select(t.treaty_id).where(t.valid_to.is_(None))).scalars().all()
            self._batch, self._treaty_ids = batch, set(ids)
            batch.versioned(reinsurance_treaties).preload(ids)
        return self._treaty_ids

    def _covering(self, batch: Batch, line: str, product_code: str, starts_on: date) -> list[TreatyTerms]:
        writer = batch.versioned(reinsurance_treaties)
        rows = ((treaty_id, writer.get(treaty_id)) for treaty_id in self._known(batch))
        return covering([(k, row) for k, row in rows if row is not None], line, product_code, starts_on)

    # -- policies ----------------------------------------------------------------------------------------

    def _cede(self, policy: Policy, position: int, batch: Batch) -> None:
        if policy.policy_number is None or policy.start_date is None:
            return  # not issued: nothing is ceded before the contract exists
        key = str(policy.id)
        writer = batch.versioned(policy_cessions)
        before = writer.get(key)
        line, code = policy.product_terms["line"], policy.product_code
        starts_on = policy.periods[-1]["start"] if policy.periods else policy.start_date
        annual = policy.annual_premium or ZERO
        cession = with_placements(
            cede(self._covering(batch, line, code, starts_on), policy.sum_insured, annual), policy.facultative
        )
        received = policy.net_premium_paid
        ceded = {
            f"{c.treaty_id}|{s['reinsurer']}": money(received * proportion(s["premium"], annual))
            for c in cession.ceded
            for s in c.shares
        }
        treaties = [
            plain(
                {
                    "treaty_id": c.treaty_id,
                    "name": c.name,
                    "kind": c.kind,
                    "terms": c.terms,
                    "sum_insured": c.sum_insured,
                    "premium": c.premium,
                    "shares": c.shares,
                }
            )
            for c in cession.ceded
        ]
        on = policy.business_date
        where = {"policy_id": key, "line": line, "product_code": code}
        gross = received - (before["premium_received"] if before else ZERO)
        if gross:
            self._entry(batch, position, on, "premium", gross, **where)
        for share, amount in sorted(_moved(before["premium_ceded"] if before else {}, ceded).items()):
            treaty_id, reinsurer = share.split("|", 1)
            self._entry(
                batch,
                position,
                on,
                "premium_ceded",
                amount,
                treaty_id=ledger_id(treaty_id),
                reinsurer=reinsurer,
                **where,
            )
        row = {
            "policy_number": policy.policy_number,
            "product_code": code,
            "line": line,
            "policy_status": policy.status,
            "period_start": starts_on,
            "sum_insured": policy.sum_insured,
            "annual_premium": annual,
            "ceded_sum_insured": sum((c.sum_insured for c in cession.ceded if c.kind != "excess_of_loss"), ZERO),
            "retained": cession.retained,
            "beyond_capacity": cession.beyond_capacity,
            "treaties": treaties,
            "treaty_ids": " " + " ".join(c.treaty_id for c in cession.ceded) + " ",
            "premium_received": received,
            "premium_ceded": plain(ceded),
            "premium_ceded_total": sum(ceded.values(), ZERO),
            "last_event_on": on,
        }
        writer.put(key, row, position)

    # -- claims ------------------------------------------------------------------------------------------

    def _recover(self, event: Any, position: int, batch: Batch) -> None:
        key = str(event.originator_id)
        writer = batch.versioned(claim_recoveries)
        claim = writer.get(key)
        if claim is None:
            return  # (never: a claim is reported before it is paid)
        cession = batch.versioned(policy_cessions).get(claim["policy_id"])
        treaties = cession["treaties"] if cession else []
        sum_insured = Decimal(cession["sum_insured"]) if cession else ZERO
        by_treaty = recoverable(treaties, sum_insured, event.paid_total)
        owed: dict[str, Decimal] = {}
        for t in treaties:
            reinsurers = [{"reinsurer": s["reinsurer"], "share_pct": Decimal(s["share_pct"])} for s in t["shares"]]
            for r, part in zip(reinsurers, shares_of(reinsurers, by_treaty[t["treaty_id"]]), strict=True):
                owed[f"{t['treaty_id']}|{r['reinsurer']}"] = part
        where = {"policy_id": claim["policy_id"], "claim_id": key}
        if cession:
            where.update(line=cession["line"], product_code=cession["product_code"])
        self._entry(batch, position, event.on, "claim", event.amount, **where)
        for share, amount in sorted(_moved(claim["owed"], owed).items()):
            treaty_id, reinsurer = share.split("|", 1)
            self._entry(
                batch,
                position,
                event.on,
                "recovery",
                amount,
                treaty_id=ledger_id(treaty_id),
                reinsurer=reinsurer,
                **where,
            )
        row = {
            **claim,
            "paid_total": event.paid_total,
            "owed": plain(owed),
            "owed_total": sum(owed.values(), ZERO),
            "last_event_on": event.on,
        }
        writer.put(key, row, position)

    def _entry(self, batch: Batch, position: int, on: date, kind: str, amount: Decimal, **where: Any) -> None:
        last_batch, last_position, written = self._entry_at  # (a retried event is applied in a batch of its own)
        n = written + 1 if last_batch is batch and last_position == position else 1
        self._entry_at = (batch, position, n)
        batch.append(
            reinsurance_entries,
            {
                "position": position,
                "n": n,
                "on": on,
                "kind": kind,
                "amount": amount,
                **{
                    c: where.get(c) for c in ("treaty_id", "reinsurer", "policy_id", "claim_id", "line", "product_code")
                },
            },
        )


def beyond_capacity(conn: Any, line: str, product_code: str, starts_on: date, sum_insured: Decimal) -> Decimal:
    """What of a risk's sum insured no treaty in the register (now) would hold: the treaties covering its line or
    product in effect on `starts_on` (for underwriting: application.app.ReadSidePorts.reinsurance_beyond)."""
    t = reinsurance_treaties.c
    rows = conn.execute(select(reinsurance_treaties).where(t.valid_to.is_(None))).mappings()
    found = covering([(row["treaty_id"], dict(row)) for row in rows], line, product_code, starts_on)
    return cede(found, sum_insured, ZERO).beyond_capacity


def covering(
    rows: list[tuple[str, dict[str, Any]]], line: str, product_code: str, starts_on: date
) -> list[TreatyTerms]:
    """Of treaty register rows (id, row), those covering a risk of `line` and `product_code` starting on `starts_on`,
    as the cession rules read them (the projection and the underwriting port alike)."""
    return [
        terms_of(treaty_id, row)
        for treaty_id, row in rows
        if covers(row["lines"], row["product_codes"], line, product_code)
        and in_effect(row["effective_from"], row["effective_to"], row["ended_on"], starts_on)
    ]
