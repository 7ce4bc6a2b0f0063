"""Signing in to the console: the bearer token from `inscribe token`, pasted once and kept in an HttpOnly,
SameSite=Strict cookie scoped to /console; every console page reads the caller from it (ConsoleSession).

The cookie opens the console only: the API takes bearer tokens in the Authorization header, never the
cookie, so no page elsewhere can make a browser send a command with it. Forms carry Litestar's CSRF token
(CSRF_CONFIG, on the console's router)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.security.jwt import Token
from litestar.types import ASGIApp

from interface.auth import Principal, valid_sub
from interface.permissions import ROLES

PATH = "/console"
COOKIE = "inscribe_console"
LANG_COOKIE = "inscribe_console_lang"
#: Route option of the pages open without signing in (the sign-in page itself, the assets).
PUBLIC = "console_public"


def principal_of(encoded: str, secret: str, issuer: str) -> tuple[Principal, datetime]:
    """The caller a token names, and when it expires; NotAuthorizedException if it is not one the API
    would take (bad signature or issuer, expired, unknown role, unusable sub)."""
    try:
        token = Token.decode(encoded, secret, "HS256", issuer=[issuer])
    except Exception:
        raise NotAuthorizedException("the console token is not valid (sign in again)") from None
    role = (token.extras or {}).get("role")
    if role not in ROLES or not valid_sub(token.sub):
        raise NotAuthorizedException("the console token names no known role")
    return Principal(sub=token.sub, role=str(role)), token.exp.astimezone(UTC)


class ConsoleSession(AbstractAuthenticationMiddleware):
    """The caller from the console cookie; pages marked PUBLIC are open."""

    def __init__(self, app: ASGIApp, secret: str, issuer: str) -> None:
        super().__init__(app, exclude_from_auth_key=PUBLIC)
        self.secret, self.issuer = secret, issuer

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        encoded = connection.cookies.get(COOKIE)
        if not encoded:
            raise NotAuthorizedException("sign in to the console")
        principal, _ = principal_of(encoded, self.secret, self.issuer)
        return AuthenticationResult(user=principal, auth=encoded)


def csrf_secret(jwt_secret: str) -> str:
    """The CSRF tokens' secret, derived from the token secret (one secret to configure)."""
    return hmac.new(jwt_secret.encode(), b"inscribe-console-csrf", hashlib.sha256).hexdigest()


def middleware(secret: str, issuer: str) -> list[DefineMiddleware]:
    """The console router's middleware: CSRF on every form, then the session."""
    csrf = CSRFConfig(
        secret=csrf_secret(secret),
        cookie_name="inscribe_console_csrf",
        cookie_path=PATH,
        cookie_httponly=True,
        cookie_samesite="strict",
        header_name="x-csrftoken",
    )
    return [
        DefineMiddleware(CSRFMiddleware, config=csrf),
        DefineMiddleware(ConsoleSession, secret=secret, issuer=issuer),
    ]
