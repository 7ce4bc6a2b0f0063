"""Small builders shared by the integration and API tests."""

from __future__ import annotations

import random
from typing import Any

from application.context import CommandContext
from domain.base import InscribeAggregate
from domain.identifiers import credit_code_check_char, resident_id_check_char

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def resident_id(seed: int, birth: str = "19850612", gender: str = "male") -> str:
    """A valid resident ID number (GB 11643) that differs by `seed`."""
    rnd = random.Random(seed)
    region = f"{rnd.randint(110000, 659999):06d}"
    seq = rnd.randint(0, 99) * 10 + rnd.choice([1, 3, 5, 7, 9] if gender == "male" else [0, 2, 4, 6, 8])
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def credit_code(seed: int) -> str:
    """A valid unified social credit code (GB 32100) that differs by `seed`."""
    rnd = random.Random(seed)
    body = "91" + f"{rnd.randint(110000, 659999):06d}" + "".join(rnd.choice(CREDIT_CHARSET) for _ in range(9))
    return body + credit_code_check_char(body)


def ctx(actor: str = "alice", role: str = "agent", **kwargs: Any) -> CommandContext:
    return CommandContext(actor_id=actor, actor_role=role, **kwargs)


def individual(seed: int = 1, **overrides: Any) -> dict[str, Any]:
    """Fields of a valid individual registration (domain keywords)."""
    fields: dict[str, Any] = {
        "name": f"张伟{seed}",
        "id_number": resident_id(seed),
        "occupation": "teacher",
        "occupation_class": 1,
        "family_status": "married",
        "dependants": 1,
        "annual_income": "180000.00",
        "contacts": {"phone": "13800138000"},
    }
    fields.update(overrides)
    return fields


def enterprise(seed: int = 1, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": f"福州示例贸易有限公司{seed}",
        "credit_code": credit_code(seed),
        "industry": "wholesale",
        "size": "small",
        "headcount": 40,
        "annual_revenue": "12000000",
        "contact_person": "李娜",
        "contacts": {"email": "ops@example.cn"},
    }
    fields.update(overrides)
    return fields


def individual_body(seed: int = 1, **overrides: Any) -> dict[str, Any]:
    """JSON body of POST /api/v1/customers for an individual."""
    return {"kind": "individual", **individual(seed), **overrides}


def enterprise_body(seed: int = 1, **overrides: Any) -> dict[str, Any]:
    return {"kind": "enterprise", **enterprise(seed), **overrides}


def collected(aggregate: InscribeAggregate) -> list[Any]:
    """The aggregate's new events, collected (as `collect_events()`), typed loosely: a test reads the
    fields of whichever event class it expects there."""
    return list(aggregate.collect_events())
