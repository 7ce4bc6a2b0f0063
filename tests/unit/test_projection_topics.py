"""Each register reads only the topics it handles (Projection.handles): no event outside them changes it.
(tests/integration/test_projection_topics.py: a register rebuilt from its topics alone is the live one.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from uuid import uuid4

import pytest

from domain.topics import event_classes
from projections.base import Projection
from projections.registry import all_projections


@pytest.mark.parametrize("projection", all_projections(), ids=lambda p: p.name)
def test_a_register_handles_the_events_of_its_aggregates(projection: Projection) -> None:
    topics = projection.topics()
    if projection.name == "audit_log":
        assert topics is None  # every event is in the audit log
    else:
        assert topics and all(t.startswith("inscribe.") for t in topics), projection.name


class Untouchable:
    """A batch that no event outside a projection's topics may use."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the batch's {name} was used")


@pytest.mark.parametrize("projection", all_projections(), ids=lambda p: p.name)
def test_an_event_outside_a_registers_topics_changes_nothing(projection: Projection) -> None:
    """Every event class the domain defines that the register does not read: applied anyway, it leaves the
    register alone (so reading only its topics loses nothing)."""
    topics = projection.topics() or frozenset(cls.TOPIC for cls in event_classes())
    outside = [cls for cls in event_classes() if cls.TOPIC not in topics]
    assert projection.topics() is None or outside
    for cls in outside:
        event = object.__new__(cls)
        vars(event).update(originator_id=uuid4(), originator_version=2, timestamp=datetime.now(UTC))
        projection.apply(event, 7, cast(Any, Untouchable()))
