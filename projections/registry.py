"""Every projection the product runs, in one list."""

from __future__ import annotations

from projections.audit_log import AuditLogProjection
from projections.base import Projection
from projections.bundles import BundlesProjection
from projections.campaigns import CampaignsProjection
from projections.claims import ClaimsProjection
from projections.complaints import ComplaintsProjection
from projections.customers import CustomersProjection
from projections.improvement_plans import ImprovementPlansProjection
from projections.policies import PoliciesProjection
from projections.premiums import PremiumsProjection
from projections.products import ProductsProjection
from projections.reinsurance import ReinsuranceProjection
from projections.risks import RisksProjection
from projections.service_requests import ServiceRequestsProjection
from projections.underwriting import UnderwritingProjection


def all_projections() -> list[Projection]:
    # The premiums come before the other policy registers: they read each policy's state just before
    # the event from the aggregate cache the three share (applied together, the first moves it on).
    return [
        AuditLogProjection(),
        CustomersProjection(),
        PremiumsProjection(),
        PoliciesProjection(),
        UnderwritingProjection(),
        ClaimsProjection(),
        ComplaintsProjection(),
        ServiceRequestsProjection(),
        ImprovementPlansProjection(),
        RisksProjection(),
        CampaignsProjection(),
        ReinsuranceProjection(),
        ProductsProjection(),
        BundlesProjection(),
    ]
