"""The composition root: one place where the write side, the read side and the clock are wired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.app import InscribeApplication, ReadSidePorts
from application.infrastructure.settings import Settings
from application.retention import Contract
from domain import clock as domain_clock
from domain.identifiers import china_today
from domain.policy.rules import add_years
from domain.policy.underwriting_case import History
from projections.claims import claims_on_policy, claims_record
from projections.db import create_read_engine
from projections.policies import underwriting_history
from projections.registry import all_projections
from projections.retention import contracts_reader
from projections.runner import ReadSide


@dataclass
class Services:
    """Everything a request or a command-line command needs."""

    settings: Settings
    app: InscribeApplication
    read_side: ReadSide

    def close(self) -> None:
        self.read_side.stop()
        self.read_side.engine.dispose()
        self.app.close()


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


def bootstrap(
    settings: Settings | None = None, *, run_projections: bool | None = None, clock: domain_clock.Clock | None = None
) -> Services:
    """Build the services; start the in-process projection runner unless told otherwise."""
    settings = settings or Settings()
    if clock is not None:
        domain_clock.install(clock)
    answers = RegisterAnswers(settings.read_wait_seconds)
    app = InscribeApplication(settings, read_side=answers.ports())
    read_side = ReadSide(app, create_read_engine(settings), all_projections(), settings.projection_batch_size)
    answers.follow(read_side)
    if settings.projections_in_process if run_projections is None else run_projections:
        read_side.start()
    return Services(settings, app, read_side)


def command_line_services() -> Services:
    """The services of a command-line command: settings from the environment, the database probed first
    (a missing one is one line within seconds), no projection runner in the background."""
    settings = Settings()
    settings.probe_database()
    return bootstrap(settings, run_projections=False)


def application_without_read_side(process: str) -> InscribeApplication:
    """The write side alone, for a process that reads the log but asks no register (`inscribe audit`):
    a read-side question raises NoReadSide naming `process`."""
    settings = Settings()
    settings.probe_database()
    return InscribeApplication(settings, read_side=ReadSidePorts.none(process))
