"""The write side's read-side questions (application.app.ReadSidePorts), answered from the registers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from application.app import ReadSidePorts
from application.retention import Contract
from domain.identifiers import china_today
from domain.improvement.rules import Scope, Score
from domain.policy.rules import add_years
from domain.policy.underwriting_case import History
from projections.claims import claims_on_policy, claims_record
from projections.policies import underwriting_history
from projections.reinsurance import beyond_capacity
from projections.reports.indicators import SOURCE_REGISTERS, indicator_value
from projections.reports.survey_analysis import SPEC as SURVEYS
from projections.reports.survey_analysis import dimension_score
from projections.retention import contracts_reader
from projections.runner import ReadSide


class RegisterAnswers:
    """The write side's read-side questions (ReadSidePorts), answered from the registers.

    The read side follows the application's log and the application asks the read side questions, so
    one of the two must be told of the other after it is built: the application gets these answers at
    construction, and they are told the read side (`follow`) as soon as it exists.
    """

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        self._read_side: ReadSide | None = None

    def follow(self, read_side: ReadSide) -> None:
        """Answer from this read side (bootstrap calls it right after building the read side)."""
        self._read_side = read_side

    @property
    def read_side(self) -> ReadSide:
        if self._read_side is None:
            raise RuntimeError("RegisterAnswers.follow was not called: bootstrap wires the read side")
        return self._read_side

    def ports(self) -> ReadSidePorts:
        """These answers as the application's ports."""
        return ReadSidePorts(
            underwriting_history=self.underwriting_history,
            claims_on_policy=self.claims_on_policy,
            contracts_of=self.contracts_of,
            survey_score=self.survey_score,
            indicator_value=self.indicator_value,
            reinsurance_beyond=self.reinsurance_beyond,
        )

    def underwriting_history(self, customer_id: str, line: str) -> History:
        """6.2.5: a customer's declines, rescissions and cover held (policies register), claims in the
        last three years and fraud flags on them (claims register)."""
        with self.read_side.engine.connect() as conn:
            record = underwriting_history(conn, customer_id, line=line)
            record.update(claims_record(conn, customer_id, add_years(china_today(), -3)))
            return History(**record)

    def claims_on_policy(self, policy_id: str, since: date, until: date) -> int:
        """Fraud indicator (ch. 9): claims on a policy with their loss between two dates (claims register)."""
        with self.read_side.engine.connect() as conn:
            return claims_on_policy(conn, policy_id, since, until)

    def contracts_of(self, customer_id: str) -> list[Contract]:
        """Art. 87: the customer's contracts once the registers reached the head of the log."""
        return contracts_reader(self.read_side, self.wait_seconds)(customer_id)

    def reinsurance_beyond(self, line: str, product_code: str, starts_on: date, sum_insured: Decimal) -> Decimal:
        """6.1.1 (6): what of a risk no treaty in the register would hold (the treaties as the register shows them)."""
        with self.read_side.engine.connect() as conn:
            return beyond_capacity(conn, line, product_code, starts_on, sum_insured)

    def survey_score(self, scope: Scope) -> Score:
        """8.3.2: the scope's score in the survey analysis once its registers reached the head of the log (else
        ReadSideBehind: 503, nothing recorded), at the position they are read at (to be asked again there)."""
        read_side = self.read_side
        read_side.wait_for(read_side.head(), SURVEYS.sources, self.wait_seconds)
        with read_side.queries.connect() as conn:
            position = min(read_side.position(source, conn) for source in SURVEYS.sources)
            surveys, average = dimension_score(conn, position, scope)
        return Score(surveys, average, position)

    def indicator_value(
        self, metric: str, line: str | None, start: date, end: date, after: int | None = None
    ) -> tuple[Decimal | None, int]:
        """ch. 9: a key risk indicator's value from its report once the registers reached `after` (None: the head
        of the log; else ReadSideBehind: nothing recorded), at the position they are read at."""
        read_side = self.read_side
        read_side.wait_for(read_side.head() if after is None else after, SOURCE_REGISTERS, self.wait_seconds)
        with read_side.queries.connect() as conn:
            position = min(read_side.position(source, conn) for source in SOURCE_REGISTERS)
            return indicator_value(conn, position, metric, line, start, end), position
