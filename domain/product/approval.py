"""Product approval (guide 3.2; SPEC §13): every version of every product, from its draft to its withdrawal.

One aggregate, the catalogue (`CATALOGUE_ID`), holds every version, so that what is on sale is read in one load.
A version is **drafted** by a product manager as the JSON of a catalogue file (`domain/catalogue/`), **revised**
while it is a draft, **checked** against the design rules (`domain.product.design`: a failed check is recorded
with its findings and the draft is revised), **approved** by a product role that neither drafted nor revised it,
**launched** on a day (quoted and sold from that day) and **withdrawn** from a day (sold up to the day before;
the policies sold under it keep it). The files shipped with the code are recorded first, each as one event
(`VersionShipped`: reviewed with the code, on sale from `SHIPPED_ON`).

Only launched versions are in the catalogue that quotes and sells (`catalogue()`); `Catalogue.on_sale` asks the
day. A version is new: its number is above every version of its code. Each version's dates never go back
(`date-before-last-event`). Every command checks first and then triggers its event, so a refusal records nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import InscribeAggregate
from domain.errors import DomainError, InvalidTransition, InvalidValue, NotFound
from domain.product import approval_events as ev
from domain.product.catalogue import Catalogue
from domain.product.design import design_findings, read_definition
from domain.product.model import Product
from domain.product.rules import CatalogueError, parse_product
from domain.values import FREE_TEXT, check_date, check_id, check_text

__all__ = ["CATALOGUE_ID", "SHIPPED_ON", "STATUSES", "ProductCatalogue", "VersionState"]

#: The one catalogue of the company.
CATALOGUE_ID: UUID = uuid5(NAMESPACE_URL, "inscribe:product-catalogue")
#: The shipped files are on sale from this day (before any business the product records).
SHIPPED_ON = date(2000, 1, 1)
STATUSES = ("drafted", "check_failed", "checked", "approved", "launched", "withdrawn")
#: The longest definition accepted (characters of JSON; the largest shipped file is about 7,000).
MAX_DEFINITION = 100_000
_CODE = re.compile(r"[a-z][a-z0-9_]{1,49}")


@dataclass
class VersionState:
    """One version as the catalogue holds it."""

    code: str
    version: int
    definition: str
    drafted_on: date
    drafted_by: str
    status: str = "drafted"
    source: str | None = None
    authors: set[str] = field(default_factory=set)
    findings: list[dict[str, Any]] = field(default_factory=list)
    checked_on: date | None = None
    approved_by: str | None = None
    approved_on: date | None = None
    launches_on: date | None = None
    withdrawn_on: date | None = None
    last_on: date = date.min
    product: Product | None = None


class ProductCatalogue(InscribeAggregate):
    """Every product version (产品), with its design check, approval, launch and withdrawal."""

    TOPIC = "inscribe.product.ProductCatalogue"

    Event = ev.CatalogueEvent
    Created = ev.CatalogueCreated
    Opened = ev.CatalogueOpened
    Shipped = ev.VersionShipped
    Drafted = ev.VersionDrafted
    Revised = ev.VersionRevised
    Checked = ev.VersionChecked
    Approved = ev.VersionApproved
    Launched = ev.VersionLaunched
    Withdrawn = ev.VersionWithdrawn

    def __init__(self) -> None:
        self.business_date = date.min
        self.versions: dict[tuple[str, int], VersionState] = {}

    @classmethod
    def open(cls, on: date) -> ProductCatalogue:
        return cls._create(cls.Opened, id=CATALOGUE_ID, on=check_date(on, "on"))

    # -- what the events do (called by them) ------------------------------------------------------------

    def add(self, code: str, version: int, definition: str, on: date, author: str) -> VersionState:
        state = VersionState(code, version, definition, on, author, authors={author}, last_on=on)
        self.versions[code, version] = state
        return state

    def state(self, code: str, version: int, on: date) -> VersionState:
        state = self.versions[code, version]
        state.last_on = max(state.last_on, on)
        return state

    def known(self, state: VersionState) -> None:
        """The version passed its check (or shipped): its product, read from its definition."""
        state.product = parse_product(read_definition(state.definition), f"{state.code}.v{state.version}")

    # -- commands ------------------------------------------------------------------------------------------

    def ship(self, source: str, definition: str, on: date) -> bool:
        """Record a shipped file; False if its version is recorded already. A file that fails the design check
        stops the start (CatalogueError naming the file and field)."""
        product, findings = design_findings(definition, source, mains=self.mains())
        if product is None or findings:
            first = findings[0]
            raise CatalogueError(source, first.field, first.rule)
        if (product.code, product.version) in self.versions:
            return False
        self.trigger_event(
            self.Shipped,
            on=on,
            code=product.code,
            version=product.version,
            source=source,
            definition=definition,
            launches_on=on,
        )
        return True

    def draft(self, definition: str, staff_id: str, on: date) -> tuple[str, int]:
        """Draft a new version from its definition (the JSON of a catalogue file); the code and version it names."""
        text = self._definition(definition)
        code, version = _identity(text)
        staff, day = check_id(staff_id, "staff_id"), check_date(on, "on")
        if (code, version) in self.versions:
            raise DomainError(f"{code} v{version} is drafted already", code="product-version-exists")
        latest = max((v for c, v in self.versions if c == code), default=0)
        if version <= latest:
            raise DomainError(
                f"{code} v{version}: a new version must be numbered above v{latest}", code="product-version-not-new"
            )
        self.trigger_event(self.Drafted, on=day, code=code, version=version, definition=text, staff_id=staff)
        return code, version

    def revise(self, code: str, version: int, definition: str, staff_id: str, on: date) -> None:
        state, day = self._held(code, version, on, ("drafted", "check_failed", "checked"))
        text = self._definition(definition)
        if _identity(text) != (state.code, state.version):
            raise InvalidValue("definition", f"must keep code {state.code!r} and version {state.version}")
        staff = check_id(staff_id, "staff_id")
        self.trigger_event(self.Revised, on=day, code=code, version=version, definition=text, staff_id=staff)

    def check(self, code: str, version: int, staff_id: str, on: date) -> list[dict[str, Any]]:
        """Check the draft against the design rules; the findings recorded (empty: it passed)."""
        state, day = self._held(code, version, on, ("drafted", "check_failed", "checked"))
        _, findings = design_findings(state.definition, f"{code}.v{version}", mains=self.mains())
        found = [f.as_dict() for f in findings]
        staff = check_id(staff_id, "staff_id")
        self.trigger_event(self.Checked, on=day, code=code, version=version, findings=found, staff_id=staff)
        return found

    def approve(self, code: str, version: int, staff_id: str, note: str, on: date) -> None:
        state, day = self._held(code, version, on, ("checked",), code_if_not="product-not-checked")
        staff, text = check_id(staff_id, "staff_id"), check_text(note, "note", FREE_TEXT, allow_empty=True)
        if staff in state.authors:
            raise DomainError(
                f"{code} v{version} was drafted or revised by {staff}: another product role approves it",
                code="approver-is-author",
            )
        self.trigger_event(self.Approved, on=day, code=code, version=version, staff_id=staff, note=text)

    def launch(self, code: str, version: int, launches_on: date, staff_id: str, on: date) -> None:
        _, day = self._held(code, version, on, ("approved",), code_if_not="product-not-approved")
        first = check_date(launches_on, "launches_on")
        if first < day:
            raise InvalidValue("launches_on", f"must not be before {day}, the day it is launched")
        staff = check_id(staff_id, "staff_id")
        self.trigger_event(self.Launched, on=day, code=code, version=version, launches_on=first, staff_id=staff)

    def withdraw(self, code: str, version: int, withdrawn_on: date, reason: str, staff_id: str, on: date) -> None:
        state, day = self._held(code, version, on, ("launched",), code_if_not="product-not-launched")
        last = check_date(withdrawn_on, "withdrawn_on")
        why, staff = check_text(reason, "reason", FREE_TEXT), check_id(staff_id, "staff_id")
        floor = max(day, state.launches_on or day)
        if last < floor:
            raise InvalidValue("withdrawn_on", f"must not be before {floor} (the day it is withdrawn or launched)")
        self.trigger_event(
            self.Withdrawn, on=day, code=code, version=version, withdrawn_on=last, staff_id=staff, reason=why
        )

    # -- queries -------------------------------------------------------------------------------------------

    def mains(self) -> set[str]:
        """The codes of main products whose definition passed its check (or shipped)."""
        return {s.code for s in self.versions.values() if s.product is not None and s.product.kind == "main"}

    def catalogue(self) -> Catalogue:
        """The versions ever launched, with the days each is on sale: what quotes and sells."""
        launched = [s for s in self.versions.values() if s.launches_on is not None and s.product is not None]
        return Catalogue(
            (s.product for s in launched if s.product is not None),
            sale={(s.code, s.version): (s.launches_on, s.withdrawn_on) for s in launched if s.launches_on},
        )

    def _held(
        self,
        code: Any,
        version: Any,
        on: Any,
        allowed: tuple[str, ...],
        code_if_not: str = "invalid-product-transition",
    ) -> tuple[VersionState, date]:
        if not isinstance(code, str) or isinstance(version, bool) or not isinstance(version, int):
            raise NotFound(f"product version {code!r} v{version!r} not found")
        state = self.versions.get((code, version))
        if state is None:
            raise NotFound(f"product version {code} v{version} not found")
        day = check_date(on, "on")
        if state.status not in allowed:
            raise InvalidTransition(
                f"{code} v{version} is {state.status.replace('_', ' ')}, not {' or '.join(allowed)}", code=code_if_not
            )
        if day < state.last_on:
            raise DomainError(
                f"on {day} is before the version's last recorded date {state.last_on}", code="date-before-last-event"
            )
        return state, day

    @staticmethod
    def _definition(value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidValue("definition", "must be the JSON of a catalogue file")
        if len(value) > MAX_DEFINITION:
            raise InvalidValue("definition", f"must be at most {MAX_DEFINITION} characters")
        return value


def _identity(text: str) -> tuple[str, int]:
    """The code and version a definition names (422 naming the field when it names none)."""
    try:
        data = read_definition(text)
    except ValueError as failure:
        raise InvalidValue("definition", f"is not valid JSON ({failure})") from None
    if not isinstance(data, dict):
        raise InvalidValue("definition", "must be a JSON object (a catalogue file)")
    code, version = data.get("code"), data.get("version")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise InvalidValue("definition.code", "must be 2–50 lower-case letters, digits or _, starting with a letter")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 9999:
        raise InvalidValue("definition.version", "must be a whole number from 1 to 9999")
    return code, version
