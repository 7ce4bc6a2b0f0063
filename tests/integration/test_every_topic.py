"""Every process decodes every event (SPEC §8 Faults): a fresh interpreter that only builds the
application, as every entry point does, decodes one stored event of every event class the domain
defines. The classes are enumerated from the code, so a new one is covered by itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from application.infrastructure.settings import Settings
from domain.topics import event_classes
from tests.builders.app import application
from tests.builders.environment import settings_env

ROOT = Path(__file__).resolve().parents[2]

DECODE_ALL = """
import json, sys
from application.infrastructure.settings import Settings
from tests.builders.app import application
app = application(Settings())
decoded = [type(app.mapper.to_domain_event(n)).TOPIC
           for n in app.recorder.select_notifications(start=1, limit=100_000)]
print(json.dumps(decoded))
"""


def _synthetic(cls: type[Any]) -> Any:
    """An event of `cls` with only the fields every event has (what decoding needs)."""
    event = object.__new__(cls)
    vars(event).update(originator_id=uuid4(), originator_version=1, timestamp=datetime.now(UTC))
    return event


def test_the_domain_defines_the_known_event_classes_among_them_the_unmasked_read() -> None:
    topics = {cls.TOPIC for cls in event_classes()}

    assert "inscribe.personal_access.Disclosed.v1" in topics
    assert "inscribe.policy.Lapsed.v1" in topics
    assert len(topics) >= 100


def test_a_fresh_interpreter_decodes_one_stored_event_of_every_event_class(test_settings: Settings) -> None:
    app = application(test_settings)
    classes = event_classes()
    app.recorder.insert_events([app.mapper.to_stored_event(_synthetic(cls)) for cls in classes])
    app.close()

    env = {**os.environ, **settings_env(test_settings), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", DECODE_ALL], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr[-2000:]
    # (after the shipped catalogue's events, recorded when the database was made: application.products)
    assert json.loads(done.stdout)[-len(classes) :] == [cls.TOPIC for cls in classes]
