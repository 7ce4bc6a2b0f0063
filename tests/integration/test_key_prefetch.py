"""Decoding a batch of events reads the keys of their sealed fields in one query (KeyRing.prefetch): a
rebuild asks the database once per batch, not once per customer. A key the prefetch cannot read (a wrong
key-encryption key) still fails at its own event, as it did without it."""

from __future__ import annotations

from typing import Any

import pytest

from application.commands.customers import register_individual
from application.infrastructure.keys import KeyRing
from domain.product.approval import CATALOGUE_ID
from tests.builders.common import ctx, individual


def registered(services: Any, count: int) -> list[Any]:
    for seed in range(1, count + 1):
        register_individual(services.app, ctx(), **individual(seed))
    every = services.app.recorder.select_notifications(start=1, limit=1000)
    return [n for n in every if n.originator_id != CATALOGUE_ID]  # (the shipped catalogue: no personal data)


def test_a_batch_reads_its_keys_at_once_and_decodes_as_before(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    notifications = registered(services, 6)
    mapper, table = services.app.mapper, services.app.recorder
    expected = [vars(mapper.to_domain_event(n)) for n in notifications]
    one: list[str] = []
    many: list[int] = []
    select_key, select_keys = table.select_key, table.select_keys

    def counted_one(subject: str) -> Any:
        one.append(subject)
        return select_key(subject)

    def counted_many(subjects: Any) -> Any:
        many.append(len(subjects))
        return select_keys(subjects)

    monkeypatch.setattr(table, "select_key", counted_one)
    monkeypatch.setattr(table, "select_keys", counted_many)
    mapper.keys = KeyRing(table, wrapping_key=services.settings.wrapping_key())  # nothing cached

    mapper.prefetch(notifications)
    decoded = [vars(mapper.to_domain_event(n)) for n in notifications]

    assert decoded == expected
    assert many == [6] and one == []  # one query for the six customers' keys, none per event


def test_a_key_the_prefetch_cannot_read_fails_at_its_event(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    notifications = registered(services, 2)
    mapper = services.app.mapper
    mapper.keys = KeyRing(services.app.recorder, wrapping_key=b"k" * 32)  # not the key the keys were wrapped with

    mapper.prefetch(notifications)  # never raises: it is only a shortcut

    with pytest.raises(RuntimeError, match="cannot be unwrapped"):
        mapper.to_domain_event(notifications[0])
