"""What every console page shares: the caller, the language, the "as of" read point and the links that
keep it, and rendering a page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.response import Template

from domain.identifiers import CHINA_TZ, china_today
from interface.auth import Principal
from interface.console.labels import LANGUAGES, field_label, words
from interface.console.session import LANG_COOKIE, PATH
from interface.permissions import allowed

#: The sections of the console, each with the permission its pages need.
SECTIONS = (
    ("registers", f"{PATH}/registers/policies", None),
    ("queues", f"{PATH}/queues/claims", None),
    ("charts", f"{PATH}/charts/loss-ratio", "reports.read"),
    ("audit", f"{PATH}/audit", "audit.read"),
)


def language(request: Request[Any, Any, Any]) -> str:
    lang = request.cookies.get(LANG_COOKIE, "zh")
    return lang if lang in LANGUAGES else "zh"


def as_of_of(request: Request[Any, Any, Any]) -> str | None:
    """The read point asked on this page (`as_of`: a moment, a date or a log position), or None for now."""
    value = request.query_params.get("as_of", "").strip()
    return value or None


def business_day(as_of: str | None) -> date:
    """The business date a page's clocks are read on: the day `as_of` names (China time), else today."""
    if as_of and not as_of.isdigit():
        try:
            moment = datetime.fromisoformat(as_of)
        except ValueError:
            return china_today()
        if moment.tzinfo is None and len(as_of) <= 10:
            return moment.date()
        try:
            return (moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)).astimezone(CHINA_TZ).date()
        except OverflowError:  # past the calendar's edge: the API refuses such an as_of, naming it
            return china_today()
    return china_today()


def link(path: str, as_of: str | None, **params: Any) -> str:
    """A console link that keeps the read point (and the given parameters, the empty ones left out)."""
    query = {k: v for k, v in {**params, "as_of": as_of}.items() if v not in (None, "")}
    return f"{path}?{urlencode(query)}" if query else path


def render(request: Request[Principal, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    """A console page with what every page shows: the caller, the words, the read point and the sections."""
    lang = language(request)
    as_of = as_of_of(request)
    user = request.scope.get("user")
    role = user.role if isinstance(user, Principal) else None
    sections = [(name, href) for name, href, needs in SECTIONS if role and (needs is None or allowed(role, needs))]
    return Template(
        template_name=template,
        status_code=status_code,
        context={
            "lang": lang,
            "t": words(lang),
            "heading": lambda name: field_label(name, lang),
            "user": user if isinstance(user, Principal) else None,
            "as_of": as_of,
            "link": lambda path, **params: link(path, as_of, **params),
            "sections": sections,
            "path": request.url.path,
            "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
            "console": PATH,
            # The page's other parameters, kept by the "as of" form (a new read point starts at page 1).
            "kept": [(k, v) for k, v in request.query_params.items() if k not in ("as_of", "page")],
            **context,
        },
    )
