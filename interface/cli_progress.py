"""The command line's progress bars and --quiet: a bar is drawn on stderr only when stderr is a terminal
and --quiet was not given (`inscribe --quiet …` or the command's own `--quiet`), at most 80 columns wide."""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

import click
from tqdm import tqdm

#: The widest a bar is drawn, whatever the terminal's width.
MAX_COLUMNS = 80
#: The longest label before the bar, so the counts and rates still fit in 80 columns.
LABEL_COLUMNS = 24

F = TypeVar("F", bound=Callable[..., Any])


def quiet_option(command: F) -> F:
    """`--quiet/-q` on a command that shows a progress bar."""
    return click.option("--quiet", "-q", is_flag=True, help="no progress bar or progress messages")(command)


def quiet() -> bool:
    """Whether --quiet was given to the running command or to any group above it."""
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.params.get("quiet"):
            return True
        ctx = ctx.parent
    return False


def label(text: str) -> str:
    """`text` cut to LABEL_COLUMNS characters."""
    return text if len(text) <= LABEL_COLUMNS else text[: LABEL_COLUMNS - 1] + "…"


def columns(out: TextIO) -> int:
    """The width of the terminal `out` draws on (COLUMNS when set), at most MAX_COLUMNS."""
    given = os.environ.get("COLUMNS", "")
    try:
        width = int(given) if given.isdigit() else os.get_terminal_size(out.fileno()).columns
    except (OSError, AttributeError, io.UnsupportedOperation):
        width = shutil.get_terminal_size((MAX_COLUMNS, 24)).columns
    return max(min(width, MAX_COLUMNS), 20)


def progress_bar(desc: str, *, total: float | None = None, unit: str = "ev", file: TextIO | None = None) -> tqdm[Any]:
    """A tqdm bar on stderr, drawn only on a terminal and without --quiet (otherwise every call on it is a
    no-op), at most MAX_COLUMNS wide (narrower on a narrower terminal)."""
    out = file if file is not None else sys.stderr
    shown = not quiet() and out.isatty()
    return tqdm(total=total, desc=label(desc), unit=unit, file=out, disable=not shown, ncols=columns(out))


def note(message: str) -> None:
    """A progress message on stderr, unless --quiet."""
    if not quiet():
        click.echo(message, err=True)
