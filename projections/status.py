"""What the read side reports: each projection's status, and the two ways it can be behind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from projections.faults import Fault


class ReadSideBehind(Exception):
    """The read side has not reached the asked position within the wait (HTTP 503)."""

    def __init__(self, position: int, reached: int, faulted: Sequence[str] = ()) -> None:
        because = f" ({', '.join(faulted)} faulted: see /api/v1/projections)" if faulted else ""
        super().__init__(f"the read side has reached position {reached}, not yet {position}{because}")
        self.position = position
        self.reached = reached
        self.faulted = list(faulted)


class ProjectionsFaulted(Exception):
    """Projections that failed on an event and are held back (the others went on)."""

    def __init__(self, held: dict[str, tuple[int, str]]) -> None:
        super().__init__(
            "; ".join(f"{name} is faulted at position {position}: {error}" for name, (position, error) in held.items())
        )
        self.held = held


@dataclass(frozen=True)
class ProjectionStatus:
    """One projection's position against the head of the log, and its fault if it has one."""

    name: str
    position: int
    head: int
    fault: Fault | None = None

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)

    @property
    def state(self) -> str:
        """`faulted`, `catching-up` or `up-to-date`."""
        return "faulted" if self.fault is not None else "catching-up" if self.lag else "up-to-date"
