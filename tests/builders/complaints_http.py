"""Complaints driven over HTTP by the API tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.builders.desk import Desk
from tests.builders.http import auth


def receive(desk: Desk, day: date, **extra: Any) -> str:
    desk.today(day)
    body = {
        "channel": "phone",
        "complainant": {"name": "张伟", "contact": "13800138000"},
        "content": "理赔太慢",
        "category": "claims",
        "recording_ref": "REC-1",
        **extra,
    }
    answer = desk.client.post("/api/v1/complaints", json=body, headers=auth())
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])
