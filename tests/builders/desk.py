"""Builders shared by the policy API tests: the back office driven over HTTP on simulated time.

`Desk` wraps the test client with the calls a clerk makes: register a customer, quote, apply, decide,
pay, and read the registers after the last write. Business dates are explicit and the domain clock
is simulated, so "today" (china_today) is whatever the test says it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from litestar.testing import TestClient

from domain.clock import SimulatedClock
from domain.product.catalogue import default_catalogue
from interface.http import declared_query
from tests.builders.common import enterprise_body, individual_body
from tests.builders.http import PROBLEM, auth, head, stored_events

Client = TestClient[Any]
CATALOGUE = default_catalogue()
POLICIES = "/api/v1/policies"
START = date(2025, 1, 10)


def moment(day: date) -> datetime:
    """10:00 in China on `day` (02:00 UTC): china_today() is `day`."""
    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC)


def answers(product_code: str, adverse: tuple[str, ...] = ()) -> dict[str, bool]:
    """Answers to every disclosure question of a product: clean, except the `adverse` ones."""
    product = CATALOGUE.get(product_code)
    return {q.id: q.adverse == (q.id in adverse) for q in product.disclosure_questions}


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def is_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem with `status` (and `code`); return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body


class Desk:
    """The back office over HTTP: one client, the services behind it, the simulated clock."""

    def __init__(self, client: Client, services: Any, simulated: SimulatedClock) -> None:
        self.client = client
        self.services = services
        self.clock = simulated

    # -- time ---------------------------------------------------------------------------------

    def today(self, day: date) -> None:
        """Move the simulated clock forward to `day` (never back)."""
        self.clock.set(moment(day))

    def on(self, day: date) -> str:
        """Make `day` today and give it as the ISO date a command carries."""
        self.today(day)
        return day.isoformat()

    # -- raw calls ----------------------------------------------------------------------------

    def post(
        self,
        path: str,
        body: dict[str, Any],
        role: str = "agent",
        sub: str = "alice",
        headers: dict[str, str] | None = None,
    ) -> Any:
        return self.client.post(path, json=body, headers=auth(role, sub, **(headers or {})))

    def command(
        self,
        path: str,
        body: dict[str, Any],
        role: str = "agent",
        sub: str = "alice",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """POST a command that must succeed; its answer (id, version, position)."""
        response = self.post(path, body, role, sub, headers)
        assert response.status_code == status, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def act(
        self,
        policy_id: str,
        action: str,
        body: dict[str, Any],
        role: str = "agent",
        headers: dict[str, str] | None = None,
    ) -> Any:
        """POST /policies/{id}/{action}; the raw response."""
        return self.post(f"{POLICIES}/{policy_id}/{action}", body, role, headers=headers)

    def do(self, policy_id: str, action: str, body: dict[str, Any], role: str = "agent") -> dict[str, Any]:
        """POST /policies/{id}/{action}, which must succeed."""
        return self.command(f"{POLICIES}/{policy_id}/{action}", body, role)

    def query(self, path: str, role: str = "auditor", **params: Any) -> Any:
        """GET after everything stored so far (read your writes) unless `as_of` is given or the route does not
        take `after` (an operation refuses a query parameter it does not declare); the response."""
        if "as_of" not in params and "after" in declared_query(self.client.app, path):
            params.setdefault("after", head(self.services))
        return self.client.get(path, params=params, headers=auth(role))

    def get(self, path: str, role: str = "auditor", **params: Any) -> Any:
        """GET that must succeed; the JSON body."""
        response = self.query(path, role, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def events(self) -> int:
        return stored_events(self.services)

    # -- customers ----------------------------------------------------------------------------

    def customer(self, seed: int, **overrides: Any) -> str:
        return str(self.command("/api/v1/customers", individual_body(seed, **overrides), status=201)["id"])

    def enterprise(self, seed: int, **overrides: Any) -> str:
        return str(self.command("/api/v1/customers", enterprise_body(seed, **overrides), status=201)["id"])

    def quote(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /quotes once the read side knows every customer registered so far."""
        return self.command(f"/api/v1/quotes?after={head(self.services)}", body)

    def stage(self, customer_id: str) -> str:
        return str(self.get(f"/api/v1/customers/{customer_id}")["lifecycle_stage"])

    # -- policies -----------------------------------------------------------------------------

    def application(
        self,
        applicant: str,
        product: str = "term_life",
        *,
        insured: str | None = None,
        relationship: str = "self",
        sum_insured: str = "500000",
        term: int = 120,
        mode: str = "annual",
        adverse: tuple[str, ...] = (),
        on: date = START,
        **extra: Any,
    ) -> dict[str, Any]:
        """The body of POST /policies."""
        personal = CATALOGUE.get(product).line in ("life", "health", "accident")
        body: dict[str, Any] = {
            "applicant_id": applicant,
            "insured_id": insured or applicant,
            "relationship": relationship,
            "product_code": product,
            "sum_insured": sum_insured,
            "term_months": term,
            "premium_mode": mode,
            "disclosures": answers(product, adverse),
            "applied_on": on.isoformat(),
            "beneficiaries": [{"name": "王芳", "share": "100"}] if personal else [],
        }
        body.update(extra)
        return body

    def apply(self, applicant: str, product: str = "term_life", **kwargs: Any) -> str:
        """Apply; the policy id."""
        return str(self.command(POLICIES, self.application(applicant, product, **kwargs), status=201)["id"])

    def policy(self, policy_id: str, **params: Any) -> dict[str, Any]:
        view: dict[str, Any] = self.get(f"{POLICIES}/{policy_id}", **params)
        return view

    def decision(self, policy_id: str) -> dict[str, Any]:
        view: dict[str, Any] = self.get(f"/api/v1/underwriting-decisions/{policy_id}")
        return view

    def cover(self, policy_id: str, on: date) -> dict[str, Any]:
        view: dict[str, Any] = self.get(f"{POLICIES}/{policy_id}/cover", on=on.isoformat())
        return view

    def history(self, policy_id: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.get(f"{POLICIES}/{policy_id}/history")["events"]
        return events

    def schedule(self, policy_id: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.get(
            "/api/v1/premiums/schedule", policy_id=policy_id, sort="installment_no", page_size=500, **params
        )["items"]
        return items

    def payments(self, policy_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.get("/api/v1/premiums/payments", policy_id=policy_id)["items"]
        return items

    def quoted_installment(self, policy_id: str) -> str:
        """The installment quoted with the application (what a premium paid with it must be)."""
        return str(self.history(policy_id)[0]["data"]["quoted_installment"])

    def due(self, policy_id: str) -> str:
        """The amount of the first unpaid installment, or the first premium of an accepted policy."""
        unpaid = [i for i in self.schedule(policy_id) if not i["paid"] and i["status"] == "due"]
        if unpaid:
            return str(unpaid[0]["amount"])
        return str(self.policy(policy_id)["installment"])

    def pay(self, policy_id: str, on: date, amount: Any = None, reference: str | None = None) -> dict[str, Any]:
        """Pay exactly what is due on `on` (which becomes today)."""
        self.today(on)
        return self.do(
            policy_id,
            "premium-payments",
            {
                "amount": str(amount if amount is not None else self.due(policy_id)),
                "paid_on": on.isoformat(),
                "reference": reference or f"bank-{on.isoformat()}",
            },
        )

    def in_force(self, applicant: str, product: str = "term_life", on: date = START, **kwargs: Any) -> str:
        """Apply (accepted automatically: clean answers) and pay the first premium on `on`."""
        policy_id = self.apply(applicant, product, on=on, **kwargs)
        self.pay(policy_id, on)
        return policy_id
