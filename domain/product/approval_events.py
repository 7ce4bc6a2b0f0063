"""The product catalogue's events (guide 3.2; SPEC §13). Stored names are a contract: each has an explicit,
versioned topic. Each carries `on`, the business date it is recorded for, and names the version it concerns by
`code` and `version`. The classes are assigned on `domain.product.approval.ProductCatalogue`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from domain.base import DatedEvent, InscribeAggregate

if TYPE_CHECKING:
    from domain.product.approval import ProductCatalogue


class CatalogueEvent(DatedEvent):
    """The base of the catalogue's events: each moves its business date."""

    TOPIC = "inscribe.product.Event"


class CatalogueCreated(CatalogueEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `CatalogueEvent`."""

    TOPIC = "inscribe.product.Created"


class CatalogueOpened(CatalogueEvent, InscribeAggregate.Created):
    """The catalogue is opened, before its first version (the shipped files) is recorded."""

    TOPIC = "inscribe.product.CatalogueOpened.v1"
    on: date


class VersionShipped(CatalogueEvent):
    """A catalogue file shipped with the code, reviewed with it: checked, approved and on sale from `launches_on`."""

    TOPIC = "inscribe.product.VersionShipped.v1"
    on: date
    code: str
    version: int
    source: str
    definition: str
    launches_on: date

    def effect(self, catalogue: ProductCatalogue) -> None:
        state = catalogue.add(self.code, self.version, self.definition, self.on, "system")
        state.source = self.source
        state.status = "launched"
        state.launches_on = self.launches_on
        catalogue.known(state)


class VersionDrafted(CatalogueEvent):
    """A product manager drafts a new version: its definition, the JSON of a catalogue file."""

    TOPIC = "inscribe.product.VersionDrafted.v1"
    on: date
    code: str
    version: int
    definition: str
    staff_id: str

    def effect(self, catalogue: ProductCatalogue) -> None:
        catalogue.add(self.code, self.version, self.definition, self.on, self.staff_id)


class VersionRevised(CatalogueEvent):
    """The draft's definition is replaced; it must be checked again."""

    TOPIC = "inscribe.product.VersionRevised.v1"
    on: date
    code: str
    version: int
    definition: str
    staff_id: str

    def effect(self, catalogue: ProductCatalogue) -> None:
        state = catalogue.state(self.code, self.version, self.on)
        state.definition, state.status, state.findings = self.definition, "drafted", []
        state.product = None
        state.authors.add(self.staff_id)


class VersionChecked(CatalogueEvent):
    """The definition was checked against the design rules: `findings` lists each rule it breaks (none: passed)."""

    TOPIC = "inscribe.product.VersionChecked.v1"
    on: date
    code: str
    version: int
    findings: list[dict[str, Any]]
    staff_id: str

    def effect(self, catalogue: ProductCatalogue) -> None:
        state = catalogue.state(self.code, self.version, self.on)
        state.findings = [dict(f) for f in self.findings]
        state.checked_on = self.on
        state.status = "check_failed" if self.findings else "checked"
        if not self.findings:
            catalogue.known(state)


class VersionApproved(CatalogueEvent):
    """A product role other than its authors approved the checked version."""

    TOPIC = "inscribe.product.VersionApproved.v1"
    on: date
    code: str
    version: int
    staff_id: str
    note: str

    def effect(self, catalogue: ProductCatalogue) -> None:
        state = catalogue.state(self.code, self.version, self.on)
        state.status, state.approved_by, state.approved_on = "approved", self.staff_id, self.on


class VersionLaunched(CatalogueEvent):
    """The approved version goes on sale from `launches_on` (quoted and sold from that day)."""

    TOPIC = "inscribe.product.VersionLaunched.v1"
    on: date
    code: str
    version: int
    launches_on: date
    staff_id: str

    def effect(self, catalogue: ProductCatalogue) -> None:
        state = catalogue.state(self.code, self.version, self.on)
        state.status, state.launches_on = "launched", self.launches_on


class VersionWithdrawn(CatalogueEvent):
    """The version is no longer sold from `withdrawn_on`; the policies sold under it keep it."""

    TOPIC = "inscribe.product.VersionWithdrawn.v1"
    on: date
    code: str
    version: int
    withdrawn_on: date
    staff_id: str
    reason: str

    def effect(self, catalogue: ProductCatalogue) -> None:
        state = catalogue.state(self.code, self.version, self.on)
        state.status, state.withdrawn_on = "withdrawn", self.withdrawn_on
