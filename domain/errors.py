"""Domain errors. Each carries a stable `code` that the interface maps to HTTP."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule or state rule was broken (HTTP 409)."""

    code = "rule-violated"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class InvalidValue(DomainError):
    """A value failed validation (HTTP 422); `field` names the offending input."""

    code = "invalid-input"

    def __init__(self, field: str, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code, field=field)
        self.field = field


class NotFound(DomainError):
    """The named aggregate does not exist (HTTP 404)."""

    code = "not-found"


class InvalidTransition(DomainError):
    """The command is not allowed in the aggregate's current state (HTTP 409)."""

    code = "invalid-state"


class InsufficientAuthority(DomainError):
    """The actor's role lacks the authority for this amount (HTTP 403; guide 6.3, 7)."""

    code = "insufficient-authority"
    status = 403
