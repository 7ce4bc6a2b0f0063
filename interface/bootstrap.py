"""The composition root: one place where the write side, the read side and the clock are wired."""

from __future__ import annotations

from dataclasses import dataclass

from application.app import InscribeApplication, ReadSidePorts
from application.infrastructure.settings import Settings
from domain import clock as domain_clock
from projections.answers import RegisterAnswers
from projections.db import create_read_engine, create_replica_engine
from projections.registry import all_projections
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
        self.read_side.queries.dispose()
        self.app.close()


def bootstrap(
    settings: Settings | None = None, *, run_projections: bool | None = None, clock: domain_clock.Clock | None = None
) -> Services:
    """Build the services; start the in-process projection runner unless told otherwise."""
    settings = settings or Settings()
    if clock is not None:
        domain_clock.install(clock)
    answers = RegisterAnswers(settings.read_wait_seconds)
    app = InscribeApplication(settings, read_side=answers.ports())
    app.catalogue  # noqa: B018  (the shipped catalogue files not in the log yet are recorded now: application.products)
    read_side = ReadSide(
        app,
        create_read_engine(settings),
        all_projections(),
        settings.projection_batch_size,
        replica=create_replica_engine(settings),
    )
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
