"""A read of the log for projections that show no personal fields (the audit log: `Projection.personal`)
decodes events with their seals unopened: no key is read, nothing deciphered, the sealed fields absent; one
for projections that read only headers (the audit log again: `Projection.headers`) decodes no event at all.
A read shared with any projection that shows them opens the seals as before."""

from __future__ import annotations

from typing import Any

import pytest

from application.commands.customers import register_individual
from application.infrastructure.keys import KeyRing
from domain.customer.aggregate import Customer
from interface.bootstrap import Services
from projections.audit_log import AuditLogProjection
from projections.log_slice import Header
from tests.builders.common import ctx, individual


def registered(read: Any) -> Any:
    """The customer's registration in the read: the event, or its header."""
    topic = Customer.IndividualRegistered.TOPIC
    (event,) = [
        e for e, _ in read.events if isinstance(e, Customer.IndividualRegistered) or getattr(e, "topic", 0) == topic
    ]
    return event


def test_the_audit_log_reads_the_log_without_opening_a_seal_and_a_shared_read_opens_them(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_individual(services.app, ctx(), **individual(1))
    read_side = services.read_side
    opened = registered(read_side._read(["audit_log", "customers"], 0))
    assert opened.name == "张伟1" and opened.id_number == individual(1)["id_number"]

    def no_key(*_: Any) -> Any:
        raise AssertionError("a key was read")

    monkeypatch.setattr(KeyRing, "cipher", no_key)
    monkeypatch.setattr(KeyRing, "prefetch", no_key)
    header = registered(read_side._read(["audit_log"], 0))
    assert isinstance(header, Header) and header.meta == vars(opened)["meta"]
    assert (header.originator_id, header.originator_version) == (opened.originator_id, opened.originator_version)
    monkeypatch.setattr(AuditLogProjection, "headers", False)  # a reader of whole events that shows no seal
    sealed = registered(read_side._read(["audit_log"], 0))

    assert not isinstance(sealed, Header) and not hasattr(sealed, "name") and not hasattr(sealed, "id_number")
    assert vars(sealed)["meta"]["actor_id"] == vars(opened)["meta"]["actor_id"]
    assert (sealed.originator_id, sealed.originator_version) == (opened.originator_id, opened.originator_version)
    read_side.catch_up(["audit_log"])  # the audit log builds with no key readable
    assert read_side.position("audit_log") == read_side.head()
    shared = read_side._read(["audit_log", "customers"], 0)  # the customers register opens the seals
    assert shared.undecodable is not None and "a key was read" in shared.undecodable.error
