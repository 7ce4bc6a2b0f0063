"""Running the command line in-process in the tests."""

from __future__ import annotations

from click.testing import CliRunner, Result

from interface.cli import main


def invoke(*args: str, **env: str | None) -> Result:
    """Run `inscribe ARGS` in-process with only the given INSCRIBE_ settings."""
    settings = {"INSCRIBE_DATABASE_URL": None, "INSCRIBE_JWT_SECRET": None, **env}
    return CliRunner().invoke(main, list(args), env=settings, catch_exceptions=False)
