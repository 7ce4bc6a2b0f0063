"""The catalogue that quotes and sells, read from the product catalogue aggregate (domain.product.approval).

The first time a process asks for it, the catalogue files shipped with the code that the log does not hold yet are
recorded, under the system's name, with one command id for the set of files: two processes starting together
record them once. Afterwards each ask is one indexed query (are there events after the version read?), and the
catalogue is read again only when a product command recorded one.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, uuid5

from eventsourcing.application import AggregateNotFoundError

from application.context import system_context
from domain.errors import DomainError
from domain.product.approval import CATALOGUE_ID, SHIPPED_ON, ProductCatalogue
from domain.product.catalogue import Catalogue, shipped_files
from domain.product.design import read_definition

if TYPE_CHECKING:
    from application.app import InscribeApplication


class ProductBook:
    """The launched product versions, as the log holds them now."""

    def __init__(self, app: InscribeApplication) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._version = 0
        self._catalogue: Catalogue | None = None
        self._shipped = False

    def current(self) -> Catalogue:
        with self._lock:
            if not self._shipped:
                self._ship()
                self._shipped = True
            if self._catalogue is None or self._app.recorder.select_events(CATALOGUE_ID, gt=self._version, limit=1):
                aggregate = self._read()
                assert aggregate is not None  # shipped above
                self._version, self._catalogue = aggregate.version, aggregate.catalogue()
            return self._catalogue

    def shipped_events(self) -> int:
        """How many events the shipped files made (a log holding only these is the start of a new book)."""
        shipped = (ProductCatalogue.Opened.TOPIC, ProductCatalogue.Shipped.TOPIC)
        return sum(1 for stored in self._app.recorder.select_events(CATALOGUE_ID) if stored.topic in shipped)

    def _read(self) -> ProductCatalogue | None:
        try:
            aggregate: object = self._app.repository.get(CATALOGUE_ID)
        except AggregateNotFoundError:
            return None
        assert isinstance(aggregate, ProductCatalogue)
        return aggregate

    def _ship(self) -> None:
        files = shipped_files()
        digest = hashlib.sha256("\n".join(f"{name}\n{text}" for name, text in files).encode()).hexdigest()
        ctx = system_context(
            "the catalogue files shipped with the code", command_id=str(uuid5(NAMESPACE_URL, f"inscribe:ship:{digest}"))
        )
        for _attempt in range(3):
            if self._app.previous_answer(ctx) is not None:
                return
            catalogue = self._read() or ProductCatalogue.open(SHIPPED_ON)
            # main products before the riders that attach to them
            ordered = sorted(files, key=lambda f: read_definition(f[1]).get("kind") == "rider")
            shipped = [catalogue.ship(name, text, SHIPPED_ON) for name, text in ordered]
            if not any(shipped):
                return
            try:
                self._app.record(ctx, catalogue)
                return
            except DomainError as refused:  # another process recorded first: read it and try again
                if refused.code != "concurrent-modification" or _attempt == 2:
                    raise
