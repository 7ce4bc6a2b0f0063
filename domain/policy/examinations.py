"""Inspection and medical examination (审核检验; guide 6.1.2 (2); SPEC §13): while a case is referred, an
underwriter orders a medical examination of the insured (personal lines) or a survey of the property or
premises (property and liability lines). Each has its own clock: due EXAMINATION_DAYS after the order, counted
as the Civil Code counts (Arts. 201, 203), and overdue the day after. Its findings (who examined, when, and
what they call for) are a recorded finding of the case, and the decision must carry them: no acceptance
while one is outstanding, an offer carries at least the largest loading and every exclusion they call for,
and one that calls for a decline leaves only a decline or a postponement. Mixed into
domain.policy.aggregate.Policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.calendar import period_end
from domain.errors import DomainError, InvalidValue
from domain.policy import events as ev
from domain.policy.command_steps import PolicySteps
from domain.policy.rules import ZERO, check_percent
from domain.values import check_choice, check_date, check_text, check_texts

#: Each kind of examination and the product lines it is made for.
EXAMINATION_KINDS: dict[str, tuple[str, ...]] = {
    "medical": ("life", "health", "accident"),
    "property_survey": ("property", "liability"),
}
#: Days from the order to the examination's report (the insurer's service standard for an examination).
EXAMINATION_DAYS = 15
#: What an examination's findings call for: standard terms, conditions (a loading, exclusions), a decline.
RESULTS = ("standard", "conditions", "decline")


class PolicyExaminations(PolicySteps):
    """The commands that order and report an examination, and the check a decision makes against them."""

    def order_examination(self, kind: str, reason: str, *, ordered_by: str | UUID, on: date) -> int:
        """Order an examination of a referred case; its number within the policy is answered."""
        kind = check_choice(kind, "kind", tuple(EXAMINATION_KINDS))
        why = check_text(reason, "reason", 1000)
        who = check_text(str(ordered_by), "ordered_by", 200)  # a staff id as the API takes it (1–200)
        day = self._day(on)
        self._require(("referred",))
        line = self.product_terms["line"]
        if line not in EXAMINATION_KINDS[kind]:
            made_for = ", ".join(EXAMINATION_KINDS[kind])
            raise InvalidValue("kind", f"a {kind} examination is made for {made_for} products, not {line}")
        end = period_end(day, EXAMINATION_DAYS)
        no = len(self.examinations) + 1
        self.trigger_event(
            ev.ExaminationOrdered,
            on=day,
            no=no,
            kind=kind,
            reason=why,
            ordered_by=who,
            due_on=end.due,
            due_moved_because=end.moved_because,
        )
        return no

    def report_examination(
        self,
        no: Any,
        *,
        examiner: str,
        examined_on: date,
        result: str,
        summary: str,
        loading_pct: Any = 0,
        exclusions: Sequence[str] = (),
        on: date,
    ) -> None:
        """Record what an examination found: who examined, when, and what it calls for."""
        who = check_text(examiner, "examiner", 200)
        examined = check_date(examined_on, "examined_on")
        result = check_choice(result, "result", RESULTS)
        said = check_text(summary, "summary", 2000)
        loading = check_percent(loading_pct, "loading_pct")
        excluded = check_texts(exclusions, "exclusions")
        if result == "conditions" and not (loading or excluded):
            raise InvalidValue("loading_pct", "conditions are a loading above 0 or an exclusion")
        if result != "conditions" and (loading or excluded):
            raise InvalidValue("loading_pct", f"a {result} result has no loading or exclusions")
        day = self._day(on)
        self._require(("referred",))
        item = self._examination(no)
        if item["reported_on"] is not None:
            raise DomainError(
                f"examination {item['no']} was reported on {item['reported_on']}", code="examination-already-reported"
            )
        if not item["ordered_on"] <= examined <= day:
            raise InvalidValue(
                "examined_on", f"must be between the order ({item['ordered_on']}) and the report ({day})"
            )
        self.trigger_event(
            ev.ExaminationReported,
            on=day,
            no=item["no"],
            examiner=who,
            examined_on=examined,
            result=result,
            loading_pct=loading,
            exclusions=excluded,
            summary=said,
        )

    def outstanding_examinations(self) -> list[dict[str, Any]]:
        """The examinations ordered and not reported, while the case waits for them (referred)."""
        if self.status != "referred":
            return []
        return [e for e in self.examinations if e["reported_on"] is None]

    def _check_examinations(self, decision: str, loading: Decimal, excluded: Sequence[str]) -> None:
        """An acceptance or offer must wait for every examination and carry what they call for."""
        if decision not in ("accept", "offer_with_conditions"):
            return  # a decline or postponement closes the case, examinations outstanding or not
        waiting = self.outstanding_examinations()
        if waiting:
            first = waiting[0]
            raise DomainError(
                f"examination {first['no']} ({first['kind']}, due {first['due_on']}) has not been reported",
                code="examination-outstanding",
            )
        reported = [e for e in self.examinations if e["result"] is not None]
        declining = [e["no"] for e in reported if e["result"] == "decline"]
        if declining:
            raise DomainError(
                f"examination {declining[0]} calls for a decline: decline or postpone",
                code="examination-calls-for-decline",
            )
        needed = max((e["loading_pct"] for e in reported), default=ZERO)
        missing = sorted({x for e in reported for x in e["exclusions"]} - set(excluded))
        if loading < needed or missing:
            raise DomainError(
                f"the examinations call for a loading of at least {needed}% and the exclusions "
                f"{', '.join(sorted({x for e in reported for x in e['exclusions']})) or 'none'}",
                code="examination-conditions-not-applied",
            )

    def _examination(self, no: Any) -> dict[str, Any]:
        if isinstance(no, bool) or not isinstance(no, int):
            raise InvalidValue("no", "must be the number of an examination")
        found = next((e for e in self.examinations if e["no"] == no), None)
        if found is None:
            raise InvalidValue("no", f"no examination {no} was ordered on this policy")
        return found
