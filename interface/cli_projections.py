"""`inscribe projections`: the read side's status, a rebuild, and the worker that runs it."""

from __future__ import annotations

import json
import signal
import sys
import threading

import click
from tqdm import tqdm


@click.group()
def projections() -> None:
    """Status, rebuild and run of the read side."""


@projections.command("status")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per projection, in a list")
def projections_status(as_json: bool) -> None:
    """Each projection's state, position, the head of the log and the lag; a faulted one also the
    event it fails on, the error and since when. Exits 1 when any projection is faulted."""
    from interface.bootstrap import command_line_services
    from interface.system_api import projection_state

    services = command_line_services()
    try:
        states = [projection_state(s) for s in services.read_side.status()]
        if as_json:
            click.echo(json.dumps([s.model_dump(mode="json") for s in states], indent=2))
        else:
            click.echo(f"{'projection':<24}{'state':<13}{'position':>10}{'head':>10}{'lag':>8}")
            for s in states:
                click.echo(f"{s.name:<24}{s.state:<13}{s.position:>10}{s.head:>10}{s.lag:>8}")
                if s.state == "faulted":
                    click.echo(
                        f"  fails at {s.failing_position} since {s.since:%Y-%m-%d %H:%M:%S}Z "
                        f"({s.attempts} attempts): {s.error}"
                    )
    finally:
        services.close()
    if any(s.state == "faulted" for s in states):
        sys.exit(1)


@projections.command("rebuild")
@click.argument("name", required=False)
def projections_rebuild(name: str | None) -> None:
    """Rebuild one projection (or all) from position 0, with a progress bar: built beside the live
    registers and switched in at the end in one transaction (a failed rebuild changes nothing)."""
    from interface.bootstrap import command_line_services
    from projections.rebuild import RebuildRunning
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
        with tqdm(total=head * len(names), desc="rebuild " + ", ".join(names), unit="ev", file=sys.stderr) as bar:
            try:
                count = services.read_side.rebuild(names, progress=bar.update)
            except ProjectionsFaulted as e:  # built beside the live registers: they still serve
                raise click.ClickException(f"rebuild failed, the registers are unchanged: {e}") from None
            except RebuildRunning as e:
                raise click.ClickException(str(e)) from None
        for n in names:
            click.echo(f"{n}: position {services.read_side.position(n)} of {head}")
        click.echo(f"{count} event applications in all")
    finally:
        services.close()


@projections.command("run")
@click.option("--poll", type=float, default=0.5, show_default=True, help="seconds between polls when idle")
@click.option("--no-tick", is_flag=True, help="do not run the scheduler (inscribe tick) on an interval")
def projections_run(poll: float, no_tick: bool) -> None:
    """Run the projections as a worker process (woken by LISTEN/NOTIFY on PostgreSQL), and the
    scheduler every INSCRIBE_TICK_INTERVAL_SECONDS."""
    from interface.bootstrap import command_line_services
    from interface.scheduler import Ticker

    services = command_line_services()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    services.read_side.start(poll)
    ticker = None if no_tick else Ticker(services, services.settings.tick_interval_seconds)
    if ticker is not None:
        ticker.start()
    click.echo("projection worker running" + ("" if no_tick else " with the scheduler") + "; Ctrl-C to stop")
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if ticker is not None:
            ticker.stop()
        services.close()
