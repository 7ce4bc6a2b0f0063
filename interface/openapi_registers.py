"""The register reads whose handlers answer a register's model built at run time (typed as Any in Python), for the
OpenAPI document (interface.openapi types each as its register's model)."""

from __future__ import annotations

from projections import (
    bundles,
    campaigns,
    claims,
    complaints,
    improvement_plans,
    policies,
    premiums,
    products,
    reinsurance_registers,
    risks,
    service_requests,
    underwriting,
)
from projections.audit_log import AUDIT_LOG
from projections.register import Register

#: The register reads whose handlers answer a register's model built at run time (typed as Any in Python):
#: "GET path" → (register, a page of it or one row).
REGISTER_READS: dict[str, tuple[Register, bool]] = {
    "GET /api/v1/policies": (policies.POLICIES, True),
    "GET /api/v1/policies/renewals-due": (policies.POLICIES, True),
    "GET /api/v1/policies/{policy_id}": (policies.POLICIES, False),
    "GET /api/v1/underwriting-decisions": (underwriting.DECISIONS, True),
    "GET /api/v1/underwriting-decisions/{policy_id}": (underwriting.DECISIONS, False),
    "GET /api/v1/premiums/schedule": (premiums.INSTALLMENTS, True),
    "GET /api/v1/premiums/overdue": (premiums.INSTALLMENTS, True),
    "GET /api/v1/premiums/payments": (premiums.PAYMENTS, True),
    "GET /api/v1/claims": (claims.CLAIMS, True),
    "GET /api/v1/claims/flags": (claims.FLAGS, True),
    "GET /api/v1/claims/{claim_id}": (claims.CLAIMS, False),
    "GET /api/v1/complaints": (complaints.COMPLAINTS, True),
    "GET /api/v1/complaints/improvement-actions": (complaints.ACTIONS, True),
    "GET /api/v1/complaints/{complaint_id}": (complaints.COMPLAINTS, False),
    "GET /api/v1/service-requests": (service_requests.REQUESTS, True),
    "GET /api/v1/service-requests/{request_id}": (service_requests.REQUESTS, False),
    "GET /api/v1/improvement-plans": (improvement_plans.PLANS, True),
    "GET /api/v1/improvement-plans/{plan_id}": (improvement_plans.PLANS, False),
    "GET /api/v1/risks": (risks.RISKS, True),
    "GET /api/v1/risks/{risk_id}": (risks.RISKS, False),
    "GET /api/v1/risk-indicators": (risks.INDICATORS, True),
    "GET /api/v1/risk-indicators/alerts": (risks.ALERTS, True),
    "GET /api/v1/risk-indicators/{indicator_id}": (risks.INDICATORS, False),
    "GET /api/v1/bundles": (bundles.BUNDLES, True),
    "GET /api/v1/bundles/{bundle_id}": (bundles.BUNDLES, False),
    "GET /api/v1/product-versions": (products.PRODUCT_VERSIONS, True),
    "GET /api/v1/product-versions/{code}/{version}": (products.PRODUCT_VERSIONS, False),
    "GET /api/v1/campaigns": (campaigns.CAMPAIGNS, True),
    "GET /api/v1/campaigns/{campaign_id}": (campaigns.CAMPAIGNS, False),
    "GET /api/v1/campaigns/contacts": (campaigns.CONTACTS, True),
    "GET /api/v1/campaigns/applications": (campaigns.LINKED, True),
    "GET /api/v1/reinsurance/treaties": (reinsurance_registers.TREATIES, True),
    "GET /api/v1/reinsurance/treaties/{treaty_id}": (reinsurance_registers.TREATIES, False),
    "GET /api/v1/reinsurance/cessions": (reinsurance_registers.CESSIONS, True),
    "GET /api/v1/reinsurance/cessions/{policy_id}": (reinsurance_registers.CESSIONS, False),
    "GET /api/v1/reinsurance/recoveries": (reinsurance_registers.RECOVERIES, True),
    "GET /api/v1/reinsurance/entries": (reinsurance_registers.ENTRIES, True),
    "GET /api/v1/audit/log": (AUDIT_LOG, True),
}
