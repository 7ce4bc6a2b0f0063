"""Each register reads only the topics it handles (Projection.handles), and a register built from those
topics alone is the register built from every event: on a demo book (every path of the product) each
register rebuilt on its own, reading only its own topics, is exactly what the live runner wrote."""

from __future__ import annotations

from typing import Any

from interface.bootstrap import Services
from interface.demo_cli import run_demo
from projections.registry import all_projections
from tests.builders.registers import every_row

BOOK = {"customers": 12, "years": 1, "seed": 5, "activity": 8.0}


def test_each_register_rebuilt_from_its_own_topics_is_the_live_register(services: Services) -> None:
    run_demo(services, **BOOK)
    read_side = services.read_side
    live = every_row(read_side)
    decoded: list[str] = []
    decode = read_side.app.mapper.to_domain_event

    def counting(notification: Any) -> Any:
        decoded.append(notification.topic)
        return decode(notification)

    read_side.app.mapper.to_domain_event = counting  # type: ignore[method-assign,assignment]
    for projection in all_projections():
        decoded.clear()
        read_side.rebuild([projection.name])
        topics = projection.topics()
        if topics is not None:  # it deciphered only its own events, fewer than the log holds
            assert set(decoded) <= topics and len(decoded) < read_side.head(), projection.name
            assert decoded or projection.name in ("complaints", "service_requests"), projection.name
    assert every_row(read_side) == live
