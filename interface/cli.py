"""The `inscribe` command line: serve, token, projections."""

from __future__ import annotations

import os
import signal
import sys
import threading
from datetime import datetime
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from application.settings import Settings, SettingsError

if TYPE_CHECKING:
    from application.app import InscribeApplication
    from interface.bootstrap import Services


@click.group()
def main() -> None:
    """Inscribe: the insurance back office."""


@main.command()
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "8000")), show_default="8000")
@click.option("--workers", type=int, default=1, show_default=True)
def serve(host: str, port: int, workers: int) -> None:
    """Start the HTTP API (projections run in-process unless INSCRIBE_PROJECTIONS_IN_PROCESS=false)."""
    import uvicorn

    settings = Settings()
    try:
        settings.resolved_jwt_secret()
        settings.eventsourcing_env()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Inscribe API      http://{host}:{port}/api/v1")
    click.echo(f"API docs          http://{host}:{port}/schema")
    click.echo(f"Database          {settings.database_url}")
    click.echo("Mint a token      .venv/bin/inscribe token --role agent --sub me")
    uvicorn.run("interface.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="info")


@main.command()
@click.option("--role", required=True, help="agent, underwriter, senior_underwriter, claims_handler, "
              "claims_manager, complaints_officer, auditor or admin")
@click.option("--sub", required=True, help="the staff member's id")
@click.option("--hours", type=float, default=None, help="validity (default INSCRIBE_TOKEN_HOURS, 12)")
def token(role: str, sub: str, hours: float | None) -> None:
    """Mint a bearer token for local use."""
    from interface.auth import mint_token

    settings = Settings()
    try:
        secret = settings.resolved_jwt_secret()
        click.echo(mint_token(secret, sub, role, hours or settings.token_hours, settings.jwt_issuer))
    except (SettingsError, ValueError) as e:
        raise click.ClickException(str(e)) from None


@main.group()
def projections() -> None:
    """Status, rebuild and run of the read side."""


def _services() -> Services:
    from interface.bootstrap import bootstrap

    try:
        return bootstrap(Settings(), run_projections=False)
    except SettingsError as e:
        raise click.ClickException(str(e)) from None


@projections.command("status")
def projections_status() -> None:
    """Each projection's position, the head of the log and the lag."""
    services = _services()
    try:
        click.echo(f"{'projection':<20}{'position':>12}{'head':>12}{'lag':>10}")
        for s in services.read_side.status():
            click.echo(f"{s.name:<20}{s.position:>12}{s.head:>12}{s.lag:>10}")
    finally:
        services.close()


@projections.command("rebuild")
@click.argument("name", required=False)
def projections_rebuild(name: str | None) -> None:
    """Rebuild one projection (or all) from position 0, with a progress bar."""
    services = _services()
    try:
        names = [name] if name else list(services.read_side.projections)
        unknown = [n for n in names if n not in services.read_side.projections]
        if unknown:
            raise click.ClickException(f"unknown projection {unknown[0]!r}; known: "
                                       + ", ".join(services.read_side.projections))
        head = services.read_side.head()
        with tqdm(total=head * len(names), desc="rebuild " + ", ".join(names), unit="ev", file=sys.stderr) as bar:
            count = services.read_side.rebuild(names, progress=bar.update)
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
    from interface.scheduler import Ticker

    services = _services()
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


@main.command("tick")
@click.option("--until", "until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the business date to bring everything up to (default: today, China time)")
def tick_command(until: datetime | None) -> None:
    """Record what the passing of time causes: lapses, deemed consents, terminations, renewal
    offers and expiries, as events of the actor `system`."""
    from domain.identifiers import china_today
    from interface.scheduler import tick

    today = china_today()
    day = until.date() if until else today
    if day > today:
        raise click.ClickException(f"--until {day} is after today ({today}): the future cannot be recorded")
    services = _services()
    try:
        head = services.read_side.head()
        with tqdm(total=head * len(services.read_side.projections), desc="read side", unit="ev",
                  file=sys.stderr) as bar:
            bar.update(sum(services.read_side.position(n) for n in services.read_side.projections))
            services.read_side.catch_up(progress=bar.update)
        with tqdm(desc=f"tick {day}", unit="policy", file=sys.stderr) as bar:
            report = tick(services, day, progress=bar.update, total=lambda n: setattr(bar, "total", n))
        click.echo(f"{report.today}: {report.examined} policies had something due; {report.changed} changed")
    finally:
        services.close()


@main.group()
def audit() -> None:
    """The audit trail: verify the hash chain, give its digest."""


def _application() -> InscribeApplication:
    from application.app import InscribeApplication

    try:
        return InscribeApplication(Settings())
    except SettingsError as e:
        raise click.ClickException(str(e)) from None


@audit.command("digest")
def audit_digest() -> None:
    """Print the chain head as POSITION:HASH, for an auditor to keep."""
    from application.audit import digest

    app = _application()
    try:
        head = digest(app.recorder)
        click.echo(head.as_text())
        click.echo(f"{head.count} events linked", err=True)
    finally:
        app.close()


@audit.command("verify")
@click.option("--against", default=None, help="a digest kept earlier (POSITION:HASH): the log must still extend it")
def audit_verify(against: str | None) -> None:
    """Recompute the hash chain from the stored events and name the first one changed, removed,
    inserted or reordered behind the application's back. Exit status 1 if the log was tampered with."""
    from application.audit import verify_log
    from application.chain import Digest

    try:
        kept = Digest.parse(against) if against else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--against") from None
    app = _application()
    try:
        with tqdm(total=app.recorder.max_notification_id() or 0, desc="verify", unit="ev", file=sys.stderr) as bar:
            result = verify_log(app.recorder, kept, progress=bar.update)
    finally:
        app.close()
    if result.ok:
        click.echo(f"OK: {result.checked} events verified; head {result.head.as_text()}")
        return
    finding = result.finding
    assert finding is not None
    click.echo(f"TAMPERED at position {finding.position}: {finding.problem} ({finding.detail}); "
               f"{result.checked} events verified before it", err=True)
    sys.exit(1)


if __name__ == "__main__":
    main()
