"""The write side built directly in a test, as the audit commands build it: without a read side."""

from __future__ import annotations

from application.app import InscribeApplication, ReadSidePorts
from application.infrastructure.settings import Settings


def application(settings: Settings, *, read_side: ReadSidePorts | None = None) -> InscribeApplication:
    """An application over `settings`; without `read_side`, a read-side question raises NoReadSide."""
    return InscribeApplication(settings, read_side=read_side or ReadSidePorts.none("a test without a read side"))
