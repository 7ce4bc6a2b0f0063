"""The `inscribe` command line: serve, token, projections."""

from __future__ import annotations

import copy
import json
import logging
import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError
from tqdm import tqdm

from application.infrastructure.settings import Settings, SettingsError, describe_settings_error, one_line, redact_url
from interface.demo_cli import demo

if TYPE_CHECKING:
    from application.app import InscribeApplication
    from interface.bootstrap import Services

#: Set to 1 to see the traceback behind a one-line settings or database error.
TRACEBACK_VARIABLE = "INSCRIBE_TRACEBACK"


def _database_problem(error: BaseException) -> str | None:
    """One line for an error that says the database cannot be reached or opened; None otherwise."""
    import sqlite3

    import psycopg
    from eventsourcing.persistence import InterfaceError, OperationalError
    from sqlalchemy.exc import DBAPIError

    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    if isinstance(cause, sqlite3.OperationalError):
        text = str(cause)
        if not any(s in text for s in ("unable to open", "readonly", "disk I/O", "not a database")):
            return None
    elif not isinstance(cause, (psycopg.OperationalError, psycopg.InterfaceError, OperationalError, InterfaceError)):
        return None
    url = redact_url(os.environ.get("INSCRIBE_DATABASE_URL", "") or "the database")
    return f"database error ({url}): {one_line(cause)}"


class InscribeGroup(click.Group):
    """The `inscribe` group: an invalid setting or an unreachable database ends any command with one
    line on stderr and exit status 1, not a traceback (INSCRIBE_TRACEBACK=1 shows it)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:
            if os.environ.get(TRACEBACK_VARIABLE, "").lower() in ("1", "true", "yes"):
                raise
            if isinstance(e, ValidationError) and e.title == Settings.__name__:
                raise click.ClickException(describe_settings_error(e)) from None
            if isinstance(e, SettingsError):
                raise click.ClickException(one_line(e)) from None
            problem = _database_problem(e)
            if problem is None:
                raise
            raise click.ClickException(problem) from None


@click.group(cls=InscribeGroup)
def main() -> None:
    """Inscribe: the insurance back office."""


class StripQueryString(logging.Filter):
    """Uvicorn's access lines name the route, never the query string (`?name=…` may carry personal data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def access_log_config() -> dict[str, Any]:
    """Uvicorn's logging configuration with the access handler passing through StripQueryString."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["strip_query_string"] = {"()": f"{__name__}.StripQueryString"}
    config["handlers"]["access"]["filters"] = ["strip_query_string"]
    return config


TOKEN_HINT = "export TOKEN=$(.venv/bin/inscribe token --role agent --sub alice)"


@main.command()
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "8000")), show_default="8000")
@click.option("--workers", type=int, default=1, show_default=True)
def serve(host: str, port: int, workers: int) -> None:
    """Start the HTTP API (projections run in-process unless INSCRIBE_PROJECTIONS_IN_PROCESS=false)."""
    import uvicorn

    settings = Settings()
    settings.check()  # SettingsError: one line (InscribeGroup), before uvicorn could print a traceback
    settings.probe_database()
    click.echo(f"Inscribe API      http://{host}:{port}/api/v1")
    click.echo(f"API docs          http://{host}:{port}/schema")
    click.echo(f"Database          {settings.safe_url()}")
    click.echo(f"Mint a token      {TOKEN_HINT}")
    click.echo(f'Try               curl -s http://{host}:{port}/api/v1/products -H "Authorization: Bearer $TOKEN"')
    uvicorn.run(
        "interface.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=access_log_config(),
    )


@main.command()
@click.option(
    "--role",
    required=True,
    help="agent, underwriter, senior_underwriter, claims_handler, "
    "claims_manager, complaints_officer, complaints_manager, auditor or admin",
)
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

    settings = Settings()
    settings.probe_database()  # a missing database: one line within seconds (InscribeGroup)
    return bootstrap(settings, run_projections=False)


@projections.command("status")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per projection, in a list")
def projections_status(as_json: bool) -> None:
    """Each projection's state, position, the head of the log and the lag; a faulted one also the
    event it fails on, the error and since when. Exits 1 when any projection is faulted."""
    from interface.system_api import projection_state

    services = _services()
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
    from projections.rebuild import RebuildRunning
    from projections.runner import ProjectionsFaulted

    services = _services()
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
@click.option(
    "--until",
    "until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="the business date to bring everything up to (default: today, China time)",
)
def tick_command(until: datetime | None) -> None:
    """Record what the passing of time causes: lapses, deemed consents, terminations, renewal
    offers and expiries, as events of the actor `system`. Each aggregate on its own: one that fails
    is named at the end (exit code 1) after all the others are done."""
    from domain.identifiers import china_today
    from interface.scheduler import tick

    today = china_today()
    day = until.date() if until else today
    if day > today:
        raise click.ClickException(f"--until {day} is after today ({today}): the future cannot be recorded")
    services = _services()
    try:
        head = services.read_side.head()
        with tqdm(
            total=head * len(services.read_side.projections), desc="read side", unit="ev", file=sys.stderr
        ) as bar:
            bar.update(sum(services.read_side.position(n) for n in services.read_side.projections))
            services.read_side.catch_up(progress=bar.update)
        with tqdm(desc=f"tick {day}", unit="policy", file=sys.stderr) as bar:
            report = tick(services, day, progress=bar.update, total=lambda n: setattr(bar, "total", n))
        failed = f"; {len(report.failures)} failed" if report.failures else ""
        click.echo(f"{report.today}: {report.examined} policies had something due; {report.changed} changed{failed}")
        for failure in report.failures:
            click.echo(f"failed: {failure}", err=True)
    finally:
        services.close()
    if report.failures:
        raise SystemExit(1)


@main.group()
def audit() -> None:
    """The audit trail: verify the hash chain, give its digest, export and check audit packages."""


def _application() -> InscribeApplication:
    from application.app import InscribeApplication

    settings = Settings()
    settings.probe_database()
    return InscribeApplication(settings)


@audit.command("digest")
def audit_digest() -> None:
    """Print the chain head as POSITION:HASH, for an auditor to keep."""
    from application.infrastructure.audit import digest

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
    from application.infrastructure.audit import verify_log
    from application.infrastructure.chain import Digest

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
    click.echo(
        f"TAMPERED at position {finding.position}: {finding.problem} ({finding.detail}); "
        f"{result.checked} events verified before it",
        err=True,
    )
    sys.exit(1)


DAY = click.DateTime(formats=["%Y-%m-%d"])


@audit.command("export")
@click.option("--from", "from_day", type=DAY, default=None, help="the first day, inclusive (China time)")
@click.option("--to", "to_day", type=DAY, default=None, help="the last day, inclusive (China time)")
@click.option("--from-position", type=int, default=None, help="the first log position, instead of --from")
@click.option("--to-position", type=int, default=None, help="the last log position, instead of --to")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="the package to write (a ZIP)",
)
def audit_export(
    from_day: datetime | None, to_day: datetime | None, from_position: int | None, to_position: int | None, output: Path
) -> None:
    """Write an audit package for a period: events.jsonl and manifest.json in a ZIP, in constant
    memory. Without a range, the whole log. Days map to log positions through the audit_log read
    table, brought up to the head first."""
    from application.infrastructure.audit_package import head_digest
    from application.infrastructure.export import RangeError, describe_source, write_package
    from interface.audit_api import export_selection

    services = _services()
    partial = output.with_name(output.name + ".part")  # a failed export leaves no package behind
    try:
        if from_day or to_day:
            with tqdm(desc="audit log", unit="ev", file=sys.stderr) as bar:
                services.read_side.catch_up(["audit_log"], progress=bar.update)
        try:
            selection = export_selection(
                services,
                from_day=from_day.date() if from_day else None,
                to_day=to_day.date() if to_day else None,
                from_position=from_position,
                to_position=to_position,
            )
        except RangeError as e:
            raise click.BadParameter(e.message, param_hint="--" + e.field.replace("_", "-")) from None
        total = max(0, selection.to_position - selection.from_position + 1)
        with tqdm(total=total, desc="export", unit="ev", file=sys.stderr) as bar, partial.open("wb") as out:
            manifest = write_package(
                services.app.recorder,
                out,
                selection,
                source=describe_source(services.settings.database_url),
                progress=bar.update,
            )
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
        services.close()
    span = (
        f"positions {manifest['first_position']}..{manifest['last_position']}"
        if manifest["last_position"]
        else "no events"
    )
    click.echo(f"{output}: {manifest['counts']['events']} events, {span}; chain head {head_digest(manifest).as_text()}")


@audit.command("verify-package")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--against", default=None, help="a digest kept earlier (POSITION:HASH) that the package covers")
def audit_verify_package(path: Path, against: str | None) -> None:
    """Check an audit package offline (no database): the manifest, each file's checksum, each event's
    hash and the chain through them. Exit status 1, naming the first problem, if it fails."""
    from application.infrastructure.audit_package import head_digest, verify_package
    from application.infrastructure.chain import Digest

    try:
        kept = Digest.parse(against) if against else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--against") from None
    with tqdm(desc="verify", unit="ev", file=sys.stderr) as bar:
        result = verify_package(path, kept, progress=bar.update)
    if result.ok:
        assert result.manifest is not None
        click.echo(f"OK: {result.events} events verified; chain head {head_digest(result.manifest).as_text()}")
        return
    assert result.finding is not None
    click.echo(f"FAILED: {result.finding.as_text()}", err=True)
    sys.exit(1)


# --- retention (Insurance Law Art. 87, SPEC §9) ------------------------------------------------
@main.group()
def retention() -> None:
    """Retention of records: until when each customer's and policy's records must be kept."""


@retention.command("report")
@click.option("--customer", "customer_id", default=None, help="one customer's id (default: every customer)")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="the day to judge 'running' on (default: today, China time)",
)
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of a table")
def retention_report(customer_id: str | None, today: datetime | None, as_csv: bool) -> None:
    """Each customer's retention end and each of their policies' (role, status, contract end, years)."""
    import csv

    from domain.identifiers import china_today
    from projections.retention import all_retention

    day = today.date() if today else china_today()
    services = _services()
    try:
        services.read_side.catch_up(["customers", "policies"])
        with services.read_side.engine.connect() as conn:
            found = list(all_retention(conn, customer_id))
    finally:
        services.close()
    if customer_id and not found:
        raise click.ClickException(f"customer {customer_id} not found")
    rows = [("customer", "policy", "role", "status", "contract_end", "years", "retention_end", "running")]
    for r in found:
        end = "open" if r.open else (r.retention_end.isoformat() if r.retention_end else "none")
        rows.append((r.customer_id, "", "", "", "", "", end, "yes" if r.running(day) else "no"))
        for p in r.policies:
            rows.append(
                (
                    r.customer_id,
                    p.policy_id,
                    p.role,
                    p.status,
                    str(p.contract_end or ""),
                    str(p.years or ""),
                    str(p.retention_end or ("open" if p.basis == "application-pending" else "none")),
                    "yes" if p.running(day) else "no",
                )
            )
    if as_csv:
        csv.writer(sys.stdout).writerows(rows)
        return
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


main.add_command(demo)  # interface.demo_cli

if __name__ == "__main__":
    main()
