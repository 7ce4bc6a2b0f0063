"""The `inscribe` command line: serve, token, tick and retention here; projections (interface.cli_projections),
audit (interface.cli_audit) and demo (interface.demo_cli) in their own modules."""

from __future__ import annotations

import copy
import logging
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from application.infrastructure.settings import Settings, SettingsError, describe_settings_error, one_line, redact_url
from interface.cli_audit import audit
from interface.cli_db import db
from interface.cli_progress import progress_bar, quiet_option
from interface.cli_projections import projections
from interface.cli_snapshots import snapshots
from interface.demo_cli import demo
from interface.logs import command_line_logging, uvicorn_log_config

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


def package_version() -> str:
    """The installed package's version (importlib.metadata), or 0+unknown when run from a bare checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("inscribe")
    except PackageNotFoundError:
        return "0+unknown"


@click.group(cls=InscribeGroup)
@click.version_option(package_version(), "--version", prog_name="inscribe", message="%(prog)s %(version)s")
@quiet_option
def main(quiet: bool) -> None:
    """Inscribe: the insurance back office. Progress bars are drawn on stderr only when it is a terminal;
    --quiet (here or on the command) turns them off."""
    command_line_logging()  # JSON lines on stderr (interface.logs), WARNING unless INSCRIBE_LOG_LEVEL


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
    return uvicorn_log_config(config)  # its lines as JSON lines too (interface.logs)


def token_hint() -> str:
    """How to mint a token from where this process runs: `inscribe` when it is on PATH (the container, an
    activated virtualenv), otherwise its path (`make run`: .venv/bin/inscribe)."""
    here = Path(sys.executable).parent / "inscribe"
    on_path = shutil.which("inscribe")
    command = "inscribe" if on_path and Path(on_path).resolve() == here.resolve() else str(here)
    return f"export TOKEN=$({command} token --role agent --sub alice)"


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
    click.echo(f"Console           http://{host}:{port}/console (sign in with a token)")
    click.echo(f"Database          {settings.safe_url()}")
    click.echo(f"Mint a token      {token_hint()}")
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


@main.command("tick")
@click.option(
    "--until",
    "until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="the business date to bring everything up to (default: today, China time)",
)
@quiet_option
def tick_command(until: datetime | None, quiet: bool) -> None:
    """Record what the passing of time causes: lapses, deemed consents, terminations, renewal
    offers and expiries, as events of the actor `system`. Each aggregate on its own: one that fails
    is named at the end (exit code 1) after all the others are done."""
    from domain.identifiers import china_today
    from interface.bootstrap import command_line_services
    from interface.scheduler import tick

    today = china_today()
    day = until.date() if until else today
    if day > today:
        raise click.ClickException(f"--until {day} is after today ({today}): the future cannot be recorded")
    services = command_line_services()
    try:
        head = services.read_side.head()
        with progress_bar("read side", total=head * len(services.read_side.projections)) as bar:
            bar.update(sum(services.read_side.position(n) for n in services.read_side.projections))
            services.read_side.catch_up(progress=bar.update)
        with progress_bar(f"tick {day}", unit="policy") as bar:
            report = tick(services, day, progress=bar.update, total=lambda n: setattr(bar, "total", n))
        failed = f"; {len(report.failures)} failed" if report.failures else ""
        click.echo(f"{report.today}: {report.examined} policies had something due; {report.changed} changed{failed}")
        for failure in report.failures:
            click.echo(f"failed: {failure}", err=True)
    finally:
        services.close()
    if report.failures:
        raise SystemExit(1)


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
    from interface.bootstrap import command_line_services
    from projections.retention import retention as retention_of

    day = today.date() if today else china_today()
    services = command_line_services()
    try:
        services.read_side.catch_up(["customers", "policies"])
        found = retention_of(services.read_side, customer_id)
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


main.add_command(projections)  # interface.cli_projections
main.add_command(audit)  # interface.cli_audit
main.add_command(demo)  # interface.demo_cli
main.add_command(db)  # interface.cli_db
main.add_command(snapshots)  # interface.cli_snapshots

if __name__ == "__main__":
    main()
