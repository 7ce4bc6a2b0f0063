"""Request models of the product approval API (guide 3.2; the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from interface.complaint_schemas import On
from interface.value_schemas import Text2000, Text2000OrEmpty


class DraftIn(On):
    """A new product version: its definition is the JSON object of a catalogue file (`domain/catalogue/*.json`: the
    fields of `GET /api/v1/products/{code}`), numbered above every version of its code. The drafter is the caller."""

    definition: dict[str, Any] = Field(description="the catalogue file's JSON object (code, version, rates, ...)")


class CheckIn(On):
    """Check the version against the design rules; a failed check is recorded with its findings."""


class ApproveIn(On):
    """Approve the checked version; the approver is the caller, who neither drafted nor revised it."""

    note: Text2000OrEmpty = ""


class LaunchIn(On):
    """Put the approved version on sale from `launches_on` (default `on`, never before it)."""

    launches_on: date | None = None


class WithdrawIn(On):
    """Stop selling the version from `withdrawn_on` (default `on`): sold up to the day before. The policies sold
    under it keep it."""

    withdrawn_on: date | None = None
    reason: Text2000
