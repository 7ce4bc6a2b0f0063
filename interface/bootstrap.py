"""The composition root: one place where the write side, the read side and the clock are wired."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from application.app import InscribeApplication
from application.infrastructure.settings import Settings
from domain import clock as domain_clock
from domain.identifiers import china_today
from domain.policy.rules import add_years
from domain.policy.underwriting import History
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


def _history_from(read_side: ReadSide) -> Callable[[str, str], History]:
    """6.2.5: a customer's declines, rescissions and cover held (policies register), claims in the
    last three years and fraud flags on them (claims register)."""

    def history(customer_id: str, line: str) -> History:
        with read_side.engine.connect() as conn:
            record = underwriting_history(conn, customer_id, line=line)
            record.update(claims_record(conn, customer_id, add_years(china_today(), -3)))
            return History(**record)

    return history


def _claims_from(read_side: ReadSide) -> Callable[[str, date, date], int]:
    """Fraud indicator (ch. 9): claims on a policy with their loss between two dates (claims register)."""

    def count(policy_id: str, since: date, until: date) -> int:
        with read_side.engine.connect() as conn:
            return claims_on_policy(conn, policy_id, since, until)

    return count


def bootstrap(
    settings: Settings | None = None, *, run_projections: bool | None = None, clock: domain_clock.Clock | None = None
) -> Services:
    """Build the services; start the in-process projection runner unless told otherwise."""
    settings = settings or Settings()
    if clock is not None:
        domain_clock.install(clock)
    app = InscribeApplication(settings)
    read_side = ReadSide(app, create_read_engine(settings), all_projections(), settings.projection_batch_size)
    app.underwriting_history = _history_from(read_side)
    app.contracts_of = contracts_reader(read_side, settings.read_wait_seconds)
    app.claims_on_policy = _claims_from(read_side)
    if settings.projections_in_process if run_projections is None else run_projections:
        read_side.start()
    return Services(settings, app, read_side)
