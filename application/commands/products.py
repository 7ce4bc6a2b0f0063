"""Product approval commands (guide 3.2; SPEC §13), one typed function each: load the catalogue → call → save.

Every command changes the one catalogue aggregate (domain.product.approval.CATALOGUE_ID); the shipped files are
recorded first (application.products), so a command never finds it missing. Two product commands at the same
moment: the second is refused (409 concurrent-modification) and may be sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from application.app import CommandResult, InscribeApplication
from application.context import CommandContext
from domain.product.approval import CATALOGUE_ID, ProductCatalogue


def _on_catalogue(
    app: InscribeApplication, ctx: CommandContext, action: Callable[[ProductCatalogue], None]
) -> CommandResult:
    app.catalogue  # noqa: B018  (records the shipped files the first time: the aggregate exists)
    return app.execute(ctx, ProductCatalogue, CATALOGUE_ID, action)


def draft(app: InscribeApplication, ctx: CommandContext, on: date, *, definition: str, staff_id: str) -> CommandResult:
    """Draft a new product version from the JSON of a catalogue file."""

    def action(catalogue: ProductCatalogue) -> None:
        catalogue.draft(definition, staff_id, on)

    return _on_catalogue(app, ctx, action)


def revise(
    app: InscribeApplication, ctx: CommandContext, code: str, version: int, on: date, *, definition: str, staff_id: str
) -> CommandResult:

    def action(catalogue: ProductCatalogue) -> None:
        catalogue.revise(code, version, definition, staff_id, on)

    return _on_catalogue(app, ctx, action)


def check(
    app: InscribeApplication, ctx: CommandContext, code: str, version: int, on: date, *, staff_id: str
) -> CommandResult:
    """Check the version against the design rules; a failed check is recorded with its findings."""

    def action(catalogue: ProductCatalogue) -> None:
        catalogue.check(code, version, staff_id, on)

    return _on_catalogue(app, ctx, action)


def approve(
    app: InscribeApplication, ctx: CommandContext, code: str, version: int, on: date, *, staff_id: str, note: str
) -> CommandResult:

    def action(catalogue: ProductCatalogue) -> None:
        catalogue.approve(code, version, staff_id, note, on)

    return _on_catalogue(app, ctx, action)


def launch(
    app: InscribeApplication,
    ctx: CommandContext,
    code: str,
    version: int,
    on: date,
    *,
    launches_on: date,
    staff_id: str,
) -> CommandResult:

    def action(catalogue: ProductCatalogue) -> None:
        catalogue.launch(code, version, launches_on, staff_id, on)

    return _on_catalogue(app, ctx, action)


def withdraw(
    app: InscribeApplication,
    ctx: CommandContext,
    code: str,
    version: int,
    on: date,
    *,
    withdrawn_on: date,
    reason: str,
    staff_id: str,
) -> CommandResult:

    def action(catalogue: ProductCatalogue) -> None:
        catalogue.withdraw(code, version, withdrawn_on, reason, staff_id, on)

    return _on_catalogue(app, ctx, action)
