"""The context of one command: who sends it, why, and under which id (SPEC §2)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

CHANNELS = ("api", "batch", "system")


@dataclass(frozen=True)
class CommandContext:
    """Audit metadata for every event a command records. No command runs without an actor."""

    actor_id: str
    actor_role: str
    channel: str = "api"
    command_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    correlation_id: str | None = None
    causation_id: str | None = None
    reason: str | None = None
    effective_at: datetime | None = None
    expected_version: int | None = None
    # Hash of the request (method, path, body): a reused Idempotency-Key with another request is refused.
    fingerprint: str = ""

    def __post_init__(self) -> None:
        if not self.actor_id or not self.actor_role:
            raise ValueError("a command needs an actor (actor_id and actor_role)")
        if self.channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}")

    def metadata(self, recorded_at: datetime) -> dict[str, Any]:
        """The metadata stored on each event of this command."""
        effective = self.effective_at or recorded_at
        return {
            "actor_id": self.actor_id,
            "actor_role": self.actor_role,
            "command_id": self.command_id,
            "correlation_id": self.correlation_id or self.command_id,
            "causation_id": self.causation_id or self.command_id,
            "channel": self.channel,
            "reason": self.reason,
            "recorded_at": recorded_at.isoformat(),
            "effective_at": effective.isoformat(),
        }


def system_context(reason: str, **kwargs: Any) -> CommandContext:
    """Context for what the passing of time causes (the scheduler)."""
    return CommandContext(actor_id="system", actor_role="system", channel="system", reason=reason, **kwargs)
