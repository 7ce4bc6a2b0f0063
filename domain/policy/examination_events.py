"""The events of an inspection or medical examination ordered while a case is referred (审核检验; guide
6.1.2 (2); SPEC §13). Re-exported by domain.policy.events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.policy.event_base import PolicyEvent
from domain.policy.state import PolicyState

#: The finding's check: the step of the underwriting process the guide names (6.1.2 (2) 审核检验).
EXAMINATION_CHECK = "6.1.2-examination"


class ExaminationOrdered(PolicyEvent):
    """An underwriter orders a medical examination or a property survey, numbered within the policy, due
    by `due_on` (EXAMINATION_DAYS counted as the Civil Code counts; `due_moved_because` says why the
    last day moved to a working day)."""

    TOPIC = "inscribe.policy.ExaminationOrdered.v1"
    on: date
    no: int
    kind: str  # medical | property_survey
    reason: str
    ordered_by: str
    due_on: date
    due_moved_because: str | None

    def effect(self, policy: PolicyState) -> None:
        policy.examinations.append(
            {
                "no": self.no,
                "kind": self.kind,
                "reason": self.reason,
                "ordered_by": self.ordered_by,
                "ordered_on": self.on,
                "due_on": self.due_on,
                "due_moved_because": self.due_moved_because,
                "reported_on": None,
                "examiner": None,
                "examined_on": None,
                "result": None,
                "loading_pct": None,
                "exclusions": [],
                "summary": None,
            }
        )


class ExaminationReported(PolicyEvent):
    """The findings of an examination: who examined, when, and what it calls for (standard terms, a
    loading and exclusions, or a decline), recorded as a finding of the case. The summary (health or
    premises found) is personal data, sealed with the policy's key (application.infrastructure.personal)."""

    TOPIC = "inscribe.policy.ExaminationReported.v1"
    on: date
    no: int
    examiner: str
    examined_on: date
    result: str  # standard | conditions | decline
    loading_pct: Decimal
    exclusions: list[str]
    summary: str

    def effect(self, policy: PolicyState) -> None:
        item = next(e for e in policy.examinations if e["no"] == self.no)
        item.update(
            reported_on=self.on,
            examiner=self.examiner,
            examined_on=self.examined_on,
            result=self.result,
            loading_pct=self.loading_pct,
            exclusions=list(self.exclusions),
            summary=self.summary,
        )
        policy.findings.append(
            {
                "check": EXAMINATION_CHECK,
                "outcome": "pass"
                if self.result == "standard"
                else "refer"
                if self.result == "conditions"
                else "decline",
                "code": f"examination-{self.result}",
                "detail": f"{item['kind']} examination {self.no}: {self.result}",  # the summary is personal data
                "data": {
                    "no": self.no,
                    "kind": item["kind"],
                    "examiner": self.examiner,
                    "examined_on": self.examined_on.isoformat(),
                    "loading_pct": str(self.loading_pct),
                    "exclusions": list(self.exclusions),
                },
            }
        )
