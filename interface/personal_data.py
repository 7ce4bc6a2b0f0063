"""Masking personal data in what the API shows, and recording each unmasked read (SPEC §9, PIPL).

Every register shows ID numbers and contacts masked (and a complainant's name). A role holding
`personal.read` may ask for one view unmasked with `?unmasked=true&reason=…`; the read is recorded
as a `PersonalDataAccess` event before the answer leaves, so no unmasked answer goes unrecorded. A
customer whose data is restricted by a deletion request (or erased) is masked for everyone, and more:
name and birth date too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar import Request
from litestar.exceptions import PermissionDeniedException

from application.commands.privacy import record_disclosure
from domain.customer.aggregate import ERASED
from interface.auth import Principal
from interface.bootstrap import Services
from interface.errors import BadRequest
from interface.http import command_context
from interface.permissions import allowed

STAR = "*"


def mask_id(value: str | None) -> str | None:
    """An ID number or credit code: the first 3 and last 4 characters kept."""
    if not value or value == ERASED:
        return value
    return value[:3] + STAR * (len(value) - 7) + value[-4:] if len(value) > 7 else STAR * len(value)


def mask_phone(value: str) -> str:
    return STAR * max(len(value) - 4, 0) + value[-4:]


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else STAR * len(value)


def mask_text(value: str | None, keep: int = 1) -> str | None:
    """A name or an address: its first `keep` characters, the rest starred."""
    if not value or value == ERASED:
        return value
    return value[:keep] + STAR * max(len(value) - keep, 1)


def mask_contacts(contacts: dict[str, Any] | None) -> dict[str, Any]:
    masked: dict[str, Any] = {}
    for key, value in (contacts or {}).items():
        text = str(value)
        masked[key] = mask_phone(text) if key == "phone" else mask_email(text) if key == "email" else mask_text(text, 3)
    return masked


def mask_customer(row: dict[str, Any], restricted: bool) -> dict[str, Any]:
    """A customers register row as a reader without the right (or any reader, if `restricted`) sees it."""
    masked = dict(row, identity_number=mask_id(row.get("identity_number")), contacts=mask_contacts(row.get("contacts")))
    if restricted:
        profile = dict(row.get("profile") or {})
        if "contact_person" in profile:
            profile["contact_person"] = mask_text(profile["contact_person"])
        masked.update(name=mask_text(row.get("name")), birth_date=None, profile=profile)
    return masked


def mask_event_data(data: dict[str, Any], restricted: bool) -> dict[str, Any]:
    """An event's data in a history: personal fields masked wherever they appear."""
    masked = dict(data)
    for key in ("id_number", "credit_code"):
        if key in masked:
            masked[key] = mask_id(masked[key])
    if "contacts" in masked:
        masked["contacts"] = mask_contacts(masked["contacts"])
    if isinstance(masked.get("complainant"), dict):
        person = dict(masked["complainant"])
        person.update(name=mask_text(person.get("name")), contact=mask_text(person.get("contact"), 0))
        masked["complainant"] = person
    if restricted:
        for key in ("name", "contact_person"):
            if key in masked:
                masked[key] = mask_text(masked[key])
        if "birth_date" in masked:
            masked["birth_date"] = None
        if isinstance(masked.get("changes"), dict):
            masked["changes"] = mask_event_data(masked["changes"], True)
    return masked


def wants_unmasked(request: Request[Principal, Any, Any], unmasked: bool, reason: str | None) -> bool:
    """True if the caller asked for unmasked data and may have it; 403 without the right, 422 without a reason."""
    if not unmasked:
        return False
    if not allowed(request.user.role, "personal.read"):
        raise PermissionDeniedException(f"role {request.user.role!r} may not read personal data unmasked")
    if not reason or not reason.strip():
        raise BadRequest("reason", "give the reason for reading personal data unmasked")
    return True


def record_unmasked(
    services: Services, request: Request[Principal, Any, Any], subject_ids: Iterable[str], view: str, reason: str | None
) -> None:
    """Record that the caller is about to see these subjects' personal data unmasked (none: nothing)."""
    shown = sorted({s for s in subject_ids if s})
    if shown:
        record_disclosure(
            services.app, command_context(request, {"view": view, "subjects": shown}, reason=reason), shown, view
        )
