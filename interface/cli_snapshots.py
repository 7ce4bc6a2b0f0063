"""`inscribe snapshots`: the snapshots of policies (application.loading) an operator may take at once."""

from __future__ import annotations

import click

from interface.cli_progress import progress_bar


@click.group()
def snapshots() -> None:
    """Snapshots of policies: every 50 events a policy's state, so a read replays only the events after it."""


@snapshots.command("take")
def take_command() -> None:
    """Take the snapshot each policy of 50 or more events lacks at its latest multiple of 50, under the
    running code: after an upgrade (whose code passes over the snapshots earlier code took) or for policies
    recorded before snapshots existed. Reads only the log; safe to run again and beside the API."""
    from application.loading import SNAPSHOT_EVERY, refresh
    from interface.bootstrap import command_line_services

    services = command_line_services()
    try:
        with progress_bar("policies", unit="policy") as bar:
            examined, taken = refresh(services.app, progress=bar.update)
    finally:
        services.close()
    click.echo(f"{examined} policies of {SNAPSHOT_EVERY} or more events; {taken} snapshots taken")
