"""Retention (Insurance Law Art. 87, SPEC §9): until when each customer's and policy's records are kept."""

from __future__ import annotations

from datetime import date

from litestar import Controller, get
from litestar.di import NamedDependency

from application.retention import CustomerRetention
from domain.identifiers import china_today
from interface.auth import requires
from interface.bootstrap import Services
from interface.customer_schemas import CustomerRetentionView, PolicyRetentionView
from interface.http import read_position
from interface.query_params import After, Text, Today
from projections.retention import retention


def retention_view(retention: CustomerRetention, today: date) -> CustomerRetentionView:
    """The answer for one customer, judged on `today`."""
    return CustomerRetentionView(
        customer_id=retention.customer_id,
        retention_end=retention.retention_end,
        open=retention.open,
        running=retention.running(today),
        policies=[
            PolicyRetentionView(
                policy_id=p.policy_id,
                role=p.role,
                status=p.status,
                contract_end=p.contract_end,
                years=p.years,
                retention_end=p.retention_end,
                basis=p.basis,
                running=p.running(today),
            )
            for p in retention.policies
        ],
    )


class RetentionQueries(Controller):
    """Each customer's retention end and their policies' (`customer_id` for one customer)."""

    path = "/api/v1/retention"
    tags = ["personal data"]

    @get("/", guards=[requires("retention.read")], sync_to_thread=True)
    def report(
        self, services: NamedDependency[Services], customer_id: Text = None, today: Today = None, after: After = None
    ) -> list[CustomerRetentionView]:
        """Every customer's retention end (the latest of their policies'), with each policy's."""
        read_position(services, ["customers", "policies"], after, None)
        day = today or china_today()
        return [retention_view(r, day) for r in retention(services.read_side, customer_id)]
