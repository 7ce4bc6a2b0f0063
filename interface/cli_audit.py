"""`inscribe audit`: verify the hash chain, give its digest, export and check audit packages.

The digest and the verification read the log alone: their application has no read side, and a
read-side question would raise (application.app.NoReadSide).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from interface.cli_progress import note, progress_bar, quiet_option


@click.group()
def audit() -> None:
    """The audit trail: verify the hash chain, give its digest, export and check audit packages."""


@audit.command("digest")
@quiet_option
def audit_digest(quiet: bool) -> None:
    """Print the chain head as POSITION:HASH, for an auditor to keep."""
    from application.infrastructure.audit import digest
    from interface.bootstrap import application_without_read_side

    app = application_without_read_side("inscribe audit")
    try:
        head = digest(app.recorder)
        click.echo(head.as_text())
        note(f"{head.count} events linked")
    finally:
        app.close()


@audit.command("verify")
@click.option("--against", default=None, help="a digest kept earlier (POSITION:HASH): the log must still extend it")
@quiet_option
def audit_verify(against: str | None, quiet: bool) -> None:
    """Recompute the hash chain from the stored events and name the first one changed, removed,
    inserted or reordered behind the application's back. Exit status 1 if the log was tampered with."""
    from application.infrastructure.audit import verify_log
    from application.infrastructure.chain import Digest
    from interface.bootstrap import application_without_read_side

    try:
        kept = Digest.parse(against) if against else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--against") from None
    app = application_without_read_side("inscribe audit")
    try:
        with progress_bar("verify", total=app.recorder.max_notification_id() or 0) as bar:
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
@quiet_option
def audit_export(
    from_day: datetime | None,
    to_day: datetime | None,
    from_position: int | None,
    to_position: int | None,
    output: Path,
    quiet: bool,
) -> None:
    """Write an audit package for a period: events.jsonl and manifest.json in a ZIP, in constant
    memory. Without a range, the whole log. Days map to log positions through the audit_log read
    table, brought up to the head first."""
    from application.infrastructure.audit_package import head_digest
    from application.infrastructure.export import RangeError, describe_source, write_package
    from interface.audit_api import export_selection
    from interface.bootstrap import command_line_services

    services = command_line_services()
    partial = output.with_name(output.name + ".part")  # a failed export leaves no package behind
    try:
        if from_day or to_day:
            with progress_bar("audit log") as bar:
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
        with progress_bar("export", total=total) as bar, partial.open("wb") as out:
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
@quiet_option
def audit_verify_package(path: Path, against: str | None, quiet: bool) -> None:
    """Check an audit package offline (no database): the manifest, each file's checksum, each event's
    hash and the chain through them. Exit status 1, naming the first problem, if it fails."""
    from application.infrastructure.audit_package import head_digest, verify_package
    from application.infrastructure.chain import Digest

    try:
        kept = Digest.parse(against) if against else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--against") from None
    with progress_bar("verify") as bar:
        result = verify_package(path, kept, progress=bar.update)
    if result.ok:
        assert result.manifest is not None
        click.echo(f"OK: {result.events} events verified; chain head {head_digest(result.manifest).as_text()}")
        return
    assert result.finding is not None
    click.echo(f"FAILED: {result.finding.as_text()}", err=True)
    sys.exit(1)
