"""Signing in and out of the console, and choosing its language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from interface.bootstrap import Services
from interface.console.context import render
from interface.console.labels import LANGUAGES
from interface.console.session import COOKIE, LANG_COOKIE, PATH, PUBLIC, principal_of

Svc = NamedDependency[Services]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def back_to(target: str | None) -> str:
    """Where to go after signing in: a console page only (never another site)."""
    inside = target is not None and (target == PATH or target.startswith((f"{PATH}/", f"{PATH}?")))
    if inside and target is not None and "\\" not in target:
        return target
    return f"{PATH}/"


def session_cookie(value: str, request: Request[Any, Any, Any], max_age: int) -> Cookie:
    return Cookie(
        key=COOKIE,
        value=value,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=max_age,
    )


class ConsoleDoors(Controller):
    """Sign in with a token, sign out, switch the language."""

    path = PATH
    include_in_schema = False

    @get("/sign-in", opt={PUBLIC: True})
    async def sign_in_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "sign_in.html", next=back_to(request.query_params.get("next")), failed=None)

    @post("/sign-in", opt={PUBLIC: True}, status_code=303)
    async def sign_in(self, request: Request[Any, Any, Any], services: Svc, data: Form) -> Redirect | Template:
        """Check the token as the API would; keep it in the session cookie until it expires."""
        token = (data.get("token") or "").strip()
        settings = services.settings
        try:
            _, expires = principal_of(token, settings.resolved_jwt_secret(), settings.jwt_issuer)
        except NotAuthorizedException as e:
            return render(request, "sign_in.html", status_code=401, next=back_to(data.get("next")), failed=e.detail)
        seconds = max(1, int((expires - datetime.now(UTC)).total_seconds()))
        return Redirect(back_to(data.get("next")), status_code=303, cookies=[session_cookie(token, request, seconds)])

    @post("/sign-out", status_code=303)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        return Redirect(f"{PATH}/sign-in", status_code=303, cookies=[session_cookie("", request, 0)])

    @get("/language/{lang:str}", opt={PUBLIC: True})
    async def language(self, request: Request[Any, Any, Any], lang: FromPath[str]) -> Redirect:
        chosen = lang if lang in LANGUAGES else "zh"
        cookie = Cookie(key=LANG_COOKIE, value=chosen, path=PATH, samesite="strict", max_age=365 * 86400)
        return Redirect(back_to(request.query_params.get("next")), status_code=303, cookies=[cookie])
