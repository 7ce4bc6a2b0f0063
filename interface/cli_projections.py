"""`inscribe projections`: the read side's status, a rebuild, and the worker that runs it."""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

import click

from interface.cli_progress import progress_bar, quiet_option

if TYPE_CHECKING:  # the command line imports the application only when a command runs
    from interface.bootstrap import Services
    from interface.system_api import ProjectionState


@click.group()
def projections() -> None:
    """Status, rebuild and run of the read side."""


def failing_topic(services: Services, position: int) -> str | None:
    """The topic of the event at `position` in the log (the one a faulted projection fails on)."""
    found = services.app.recorder.select_notifications(start=position, limit=1)
    return found[0].topic if found and found[0].id == position else None


def status_document(services: Services, states: list[ProjectionState]) -> list[dict[str, Any]]:
    """`projections status --json`: per projection its name, state, position, head and lag, `faulted`, and
    for a faulted one the failing position and that event's topic, the error, since when, the last attempt
    and the attempts (null otherwise)."""
    topics = {s.failing_position: failing_topic(services, s.failing_position) for s in states if s.failing_position}
    return [
        {
            **s.model_dump(mode="json"),
            "faulted": s.state == "faulted",
            "failing_topic": topics.get(s.failing_position) if s.failing_position else None,
        }
        for s in states
    ]


@projections.command("status")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="a JSON list, one object per projection: name, state, position, head, lag, faulted, failing_position, "
    "failing_topic, error, since, last_attempt, attempts",
)
def projections_status(as_json: bool) -> None:
    """Each projection's state, position, the head of the log and the lag; a faulted one also the
    event it fails on (position and topic), the error and since when. Exits 1 when any projection is faulted."""
    from interface.bootstrap import command_line_services
    from interface.system_api import projection_state

    services = command_line_services()
    try:
        states = [projection_state(s) for s in services.read_side.status()]
        if as_json:
            click.echo(json.dumps(status_document(services, states), indent=2, ensure_ascii=False))
        else:
            click.echo(f"{'projection':<24}{'state':<13}{'position':>10}{'head':>10}{'lag':>8}")
            for s in states:
                click.echo(f"{s.name:<24}{s.state:<13}{s.position:>10}{s.head:>10}{s.lag:>8}")
                if s.state == "faulted":
                    topic = failing_topic(services, s.failing_position or 0) or "?"
                    click.echo(
                        f"  fails at {s.failing_position} ({topic}) since {s.since:%Y-%m-%d %H:%M:%S}Z "
                        f"({s.attempts} attempts): {s.error}"
                    )
    finally:
        services.close()
    if any(s.state == "faulted" for s in states):
        sys.exit(1)


@projections.command("rebuild")
@click.argument("name", required=False)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="processes building the registers side by side (each family of registers reading the same events in one)",
)
@quiet_option
def projections_rebuild(name: str | None, workers: int, quiet: bool) -> None:
    """Rebuild one projection (or all) from position 0, with a progress bar: built beside the live
    registers and switched in at the end in one transaction (a failed rebuild changes nothing)."""
    from interface.bootstrap import command_line_services
    from projections.rebuild import RebuildRunning
    from projections.rebuild_workers import RebuildWorkerFailed
    from projections.status import ProjectionsFaulted

    services = command_line_services()
    try:
        names = [name] if name else list(services.read_side.projections)
        unknown = [n for n in names if n not in services.read_side.projections]
        if unknown:
            raise click.ClickException(
                f"unknown projection {unknown[0]!r}; known: " + ", ".join(services.read_side.projections)
            )
        head = services.read_side.head()
        desc = f"rebuild {names[0]}" if len(names) == 1 else f"rebuild {len(names)} projections"
        with progress_bar(desc, total=head * len(names)) as bar:
            try:
                count = services.read_side.rebuild(names, progress=bar.update, workers=workers)
            except ProjectionsFaulted as e:  # built beside the live registers: they still serve
                raise click.ClickException(f"rebuild failed, the registers are unchanged: {e}") from None
            except (RebuildRunning, RebuildWorkerFailed) as e:
                raise click.ClickException(str(e)) from None
        for n in names:
            click.echo(f"{n}: position {services.read_side.position(n)} of {head}")
        click.echo(f"{count} event applications in all")
    finally:
        services.close()


@projections.command("run")
@click.option("--poll", type=float, default=0.5, show_default=True, help="seconds between polls when idle")
@click.option("--no-tick", is_flag=True, help="do not run the scheduler (inscribe tick) on an interval")
@click.option(
    "--only",
    multiple=True,
    metavar="NAME[,NAME…]",
    help="run only these projections (repeat or comma-separate); other workers run the rest",
)
def projections_run(poll: float, no_tick: bool, only: tuple[str, ...]) -> None:
    """Run the projections as a worker process (woken by LISTEN/NOTIFY on PostgreSQL), and the
    scheduler every INSCRIBE_TICK_INTERVAL_SECONDS. Workers may share the registers out between them
    (`--only`); two workers running the same projection never apply an event twice."""
    from interface.bootstrap import command_line_services
    from interface.logs import configure_logging
    from interface.metrics import serve_worker_metrics
    from interface.scheduler import Ticker

    services = command_line_services()
    names = [n for part in only for n in part.split(",") if n.strip()] or None
    if names is not None:
        names = [n.strip() for n in names]
        unknown = [n for n in names if n not in services.read_side.projections]
        if unknown:
            services.close()
            raise click.BadParameter(
                f"unknown projection {unknown[0]!r}; known: " + ", ".join(services.read_side.projections),
                param_hint="--only",
            )
    configure_logging(services.settings.log_level)  # a long-running process: its INFO lines too
    serve_worker_metrics(services)  # /metrics on INSCRIBE_WORKER_METRICS_PORT when set
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    services.read_side.start(poll, names)
    ticker = None if no_tick else Ticker(services, services.settings.tick_interval_seconds)
    if ticker is not None:
        ticker.start()
    running = ", ".join(names) if names else "every projection"
    click.echo(f"projection worker running {running}" + ("" if no_tick else " with the scheduler") + "; Ctrl-C to stop")
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if ticker is not None:
            ticker.stop()
        services.close()
