"""JWT bearer tokens carrying `sub` and `role`, minted by the command line for local use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import JWTAuth, Token

from domain.errors import InvalidValue
from domain.values import check_text
from interface.permissions import ROLES, allowed


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    sub: str
    role: str


def mint_token(secret: str, sub: str, role: str, hours: float = 12.0, issuer: str = "inscribe") -> str:
    """A signed HS256 token for `sub` acting as `role`."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if not valid_sub(sub):
        raise ValueError(f"sub must be 1 to {SUB_LIMIT} characters, none of them control or format characters")
    now = datetime.now(UTC)
    claims = {"sub": sub, "role": role, "iat": now, "exp": now + timedelta(hours=hours), "iss": issuer}
    return jwt.encode(claims, secret, algorithm="HS256")


#: The longest staff id a token may carry: it reaches every event as `actor_id` (domain.values limits).
SUB_LIMIT = 200


def valid_sub(sub: str) -> bool:
    """A staff id every projection can store: 1–200 characters, none of them control, format or
    unassigned (domain.values)."""
    try:
        return bool(sub) and check_text(sub, "sub", SUB_LIMIT) == sub
    except InvalidValue:
        return False


async def retrieve_principal(token: Token, _: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    role = (token.extras or {}).get("role")
    if role not in ROLES or not valid_sub(token.sub):
        return None
    return Principal(sub=token.sub, role=role)


def jwt_auth(secret: str, issuer: str) -> JWTAuth[Principal]:
    return JWTAuth[Principal](
        retrieve_user_handler=retrieve_principal,
        token_secret=secret,
        accepted_issuers=[issuer],
        exclude=["/schema", "/health", "/console"],  # the console signs in with its cookie
        exclude_http_methods=["OPTIONS"],
    )


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def requires(permission: str) -> Guard:
    """A Litestar guard: the caller's role must hold `permission` (from the one table)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = connection.scope.get("user")
        if not isinstance(principal, Principal):
            raise NotAuthorizedException("a valid bearer token is required")
        if not allowed(principal.role, permission):
            raise PermissionDeniedException(f"role {principal.role!r} may not {permission}")

    return guard
