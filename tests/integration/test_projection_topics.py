"""Each register reads only the topics it handles (Projection.handles), and a register built from those
topics alone is the register built from every event: on a demo book (every path of the product) each
register rebuilt on its own, reading only its own topics, is exactly what the live runner wrote. A rebuild
reads the log aggregate by aggregate (projections.by_aggregate), in chunks cut at an aggregate's end: with
chunks smaller than one aggregate's history too, the registers are the live ones, row version for row
version."""

from __future__ import annotations

from typing import Any

import pytest

from interface.bootstrap import Services
from interface.demo_cli import run_demo
from projections import by_aggregate
from projections.registry import all_projections
from tests.builders.registers import every_row

BOOK = {"customers": 12, "years": 1, "seed": 5, "activity": 8.0}


@pytest.mark.parametrize("chunk", [by_aggregate.CHUNK, 7])
def test_each_register_rebuilt_from_its_own_topics_is_the_live_register(
    services: Services, chunk: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(by_aggregate, "CHUNK", chunk)
    run_demo(services, **BOOK)
    read_side = services.read_side
    live = every_row(read_side)
    decoded: list[str] = []
    decode = read_side.app.mapper.to_domain_event

    def counting(notification: Any) -> Any:
        decoded.append(notification.topic)
        return decode(notification)

    read_side.app.mapper.to_domain_event = counting  # type: ignore[method-assign,assignment]
    held = {n.topic for n in read_side.app.recorder.select_notifications(start=1, limit=100_000)}
    for projection in all_projections():
        decoded.clear()
        read_side.rebuild([projection.name])
        topics = projection.topics()
        if topics is not None:  # it deciphered only its own events, fewer than the log holds
            assert set(decoded) <= topics and len(decoded) < read_side.head(), projection.name
            assert decoded or not topics & held, projection.name  # (none when the book holds none of its events)
    assert every_row(read_side) == live
    read_side.rebuild()  # every register at once
    assert every_row(read_side) == live
    assert not [r for r in caplog.records if "by aggregate failed" in r.getMessage()]  # no fallback taken
