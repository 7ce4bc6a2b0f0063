"""The console for auditors and supervisors (SPEC §12) under /console: server-rendered pages over the API,
signed in with the same tokens and roles. See interface.console.session (signing in), .api (reading
through the API in process), .pages, .audit_pages and .views (the view models)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, Router
from litestar.exceptions import NotAuthorizedException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from application.infrastructure.settings import Settings
from interface.console.api import ApiProblem
from interface.console.audit_pages import ConsoleAudit
from interface.console.context import render
from interface.console.doors import ConsoleDoors, session_cookie
from interface.console.pages import ConsolePages
from interface.console.session import PATH, PUBLIC, middleware
from interface.errors import EXCEPTION_HANDLERS
from interface.http import check_parameter_text

HERE = Path(__file__).parent
log = logging.getLogger("interface.console")


def templates() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine)


def _signed_out(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    """Not signed in (or the token expired): to the sign-in page, back here afterwards."""
    here = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    target = f"{PATH}/sign-in?next={quote(here, safe='')}" if request.method == "GET" else f"{PATH}/sign-in"
    return Redirect(target, status_code=303, cookies=[session_cookie("", request, 0)])


def _problem(request: Request[Any, Any, Any], exc: ApiProblem) -> Response[Any]:
    """What the API refused, shown as it said it: status, title, detail and the field it named."""
    return render(request, "error.html", status_code=exc.status, problem=exc.problem, status=exc.status)


def _as_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Any other failure as the API's error table words it (interface.errors: the same status, title,
    code and field), shown as a page; an unexpected one is logged there and shown without its detail."""
    handler = next((EXCEPTION_HANDLERS[k] for k in type(exc).__mro__ if k in EXCEPTION_HANDLERS), None)
    answered = handler(request, exc) if handler is not None else None
    body = answered.content if answered is not None and isinstance(answered.content, dict) else {}
    status = answered.status_code if answered is not None else 500
    problem = body or {"title": "Internal error", "detail": "the page could not be built; see the server log"}
    return render(request, "error.html", status_code=status, problem=problem, status=status)


async def check_console_request(request: Request[Any, Any, Any]) -> None:
    """The console's check before each page, in place of the API's (which also refuses query parameters
    an operation does not declare, and bodies that are not JSON): the parameters' text only."""
    check_parameter_text(request)


def console_router(settings: Settings) -> Router:
    """Every console route, behind the session and CSRF middleware, with the console's error pages."""
    assets = create_static_files_router(
        path=f"{PATH}/static", directories=[HERE / "static"], opt={PUBLIC: True}, include_in_schema=False
    )
    return Router(
        path="/",
        route_handlers=[ConsoleDoors, ConsolePages, ConsoleAudit, assets],
        middleware=middleware(settings.resolved_jwt_secret(), settings.jwt_issuer),
        exception_handlers={
            **dict.fromkeys(EXCEPTION_HANDLERS, _as_page),
            NotAuthorizedException: _signed_out,
            ApiProblem: _problem,
        },
        before_request=check_console_request,
        include_in_schema=False,
    )
