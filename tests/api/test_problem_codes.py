"""Each operation documents the problem codes it can answer (SPEC §10): interface.problem_codes is what
tools/problem_codes.py derives from the code today, the OpenAPI document shows those codes, and a code the
table does not list for an operation is caught when a test provokes it (interface.errors)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from litestar.testing import TestClient

from interface import errors
from interface.problem_codes import CODES
from tests.builders.desk import Desk, is_problem
from tools import problem_codes

RESCIND = "interface.policies_api.PolicyCommands.rescind"
ACCEPT_CLAIM = "interface.claims_api.ClaimCommands.accept"

# The table is derived once (a type check of the product, about 20 s): its tests stay on one worker.
pytestmark = pytest.mark.xdist_group("problem_codes")


@pytest.fixture(scope="module")
def derived() -> dict[str, dict[int, tuple[str, ...]]]:
    return problem_codes.table()


def test_the_table_is_what_the_code_gives_today(derived: dict[str, dict[int, tuple[str, ...]]]) -> None:
    assert derived == CODES, "interface/problem_codes.py is stale: run `make contract`"


def test_every_operation_has_its_entry(derived: dict[str, dict[int, tuple[str, ...]]]) -> None:
    assert set(derived) == set(problem_codes.operations())
    assert len(derived) > 100


@pytest.mark.parametrize(
    ("handler", "status", "codes"),
    [
        # raised where a value typed Literal[...] names the code (domain.policy.rules.RescissionRefusal)
        (RESCIND, 409, {"rescission-waived", "rescission-time-barred", "rescission-not-allowed"}),
        # passed by the caller to a guard that raises what it is given (PolicySteps._require)
        (RESCIND, 409, {"policy-not-in-force"}),
        # a guard's default code, and a rule of the aggregate's method, through app.execute
        (ACCEPT_CLAIM, 409, {"invalid-claim-transition", "documents-incomplete", "stale-version"}),
        (ACCEPT_CLAIM, 409, {"idempotency-key-reused", "time-not-advanced"}),
        # raised again under another status with the caught error's code (except … as e: code=e.code)
        ("interface.products_api.QuoteCommands.quote_cover", 422, {"unknown-product"}),
    ],
)
def test_the_derivation_follows_each_way_a_code_is_raised(
    derived: dict[str, dict[int, tuple[str, ...]]], handler: str, status: int, codes: set[str]
) -> None:
    assert codes <= set(derived[handler][status])


def test_a_rule_of_another_aggregate_is_not_listed(derived: dict[str, dict[int, tuple[str, ...]]]) -> None:
    """Method names resolve by type: a claim's acceptance answers no complaint or policy code."""
    accept = set(derived[ACCEPT_CLAIM][409])
    assert not {"policy-not-in-force", "extension-already-used", "rescission-waived"} & accept


def test_the_document_lists_each_operations_codes(client: TestClient[Any]) -> None:
    document = client.get("/schema/openapi.json").json()
    rescind = document["paths"]["/api/v1/policies/{policy_id}/rescission"]["post"]
    conflict = rescind["responses"]["409"]
    examples = conflict["content"]["application/problem+json"]["examples"]
    assert set(examples) == set(CODES[RESCIND][409])
    assert examples["rescission-waived"]["value"]["code"] == "rescission-waived"
    assert "`rescission-time-barred`" in conflict["description"]
    forbidden = rescind["responses"]["403"]["content"]["application/problem+json"]["examples"]
    assert "forbidden" in forbidden
    reads = document["paths"]["/api/v1/claims"]["get"]["responses"]
    assert "409" not in reads  # a register read refuses nothing by rule


def test_an_undocumented_code_is_caught_in_the_test_runs(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the operation's listing of a code it answers, the test runs see a 500 naming it, and nothing
    is recorded; with it, the 409."""
    assert errors.CHECK_DOCUMENTED_CODES
    holder = desk.customer(41)
    policy_id = desk.in_force(holder, "medical", sum_insured="1000000", term=12, mode="monthly")
    desk.pay(policy_id, date(2025, 2, 10))  # the insurer learned the cause on 2025-02-01 and still collected
    desk.today(date(2025, 2, 20))
    body = {"ground": "gross_negligence", "learned_on": "2025-02-01", "reason": "undisclosed", "on": "2025-02-20"}
    before = desk.events()
    listed = {status: tuple(c for c in codes if c != "rescission-waived") for status, codes in CODES[RESCIND].items()}
    monkeypatch.setitem(CODES, RESCIND, listed)
    answer = desk.act(policy_id, "rescission", body, role="senior_underwriter")
    assert "rescission-waived" in is_problem(answer, 500, "undocumented-problem-code")["detail"]
    monkeypatch.undo()
    is_problem(desk.act(policy_id, "rescission", body, role="senior_underwriter"), 409, "rescission-waived")
    assert desk.events() == before
