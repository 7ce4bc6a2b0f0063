"""The registers the console shows: which API list each reads, the columns it shows, the key that links a
row to its timeline, and the filters, read from the API's own OpenAPI parameters so the console offers
exactly the filters the API takes (no second list to keep in step)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from projections import (
    audit_log,
    bundles,
    campaigns,
    claims,
    complaints,
    customers,
    improvement_plans,
    policies,
    premiums,
    products,
    reinsurance_registers,
    risks,
    service_requests,
    underwriting,
)

#: Query parameters the console sets itself (paging, sort, the read point, the answer's format, unmasking).
CONTROLLED = frozenset({"page", "page_size", "sort", "format", "as_of", "after", "unmasked", "reason", "today"})


@dataclass(frozen=True)
class RegisterPage:
    """One register in the console: the API list it reads (`api`), its columns (API field names) and the
    sort keys the API takes, the field holding each row's aggregate id and the kind of its timeline."""

    name: str
    api: str
    columns: tuple[str, ...]
    sortable: tuple[str, ...]
    default_sort: str
    key: str | None = None
    timeline: str | None = None
    personal: bool = False  # rows may show personal data: offer the unmasked read (with its reason)


def _sorts(register: Any) -> tuple[str, ...]:
    return tuple(register.sortable)


REGISTERS: dict[str, RegisterPage] = {
    page.name: page
    for page in (
        RegisterPage(
            "customers",
            "/api/v1/customers",
            ("id", "name", "kind", "identity_number", "segment", "lifecycle_stage", "registered_at", "personal_data"),
            _sorts(customers.CUSTOMERS),
            customers.CUSTOMERS.default_sort,
            key="id",
            timeline="customer",
            personal=True,
        ),
        RegisterPage(
            "policies",
            "/api/v1/policies",
            (
                "policy_number",
                "status",
                "product_code",
                "line",
                "channel",
                "sum_insured",
                "annual_premium",
                "applied_on",
                "start_date",
                "end_date",
                "next_due_date",
            ),
            _sorts(policies.POLICIES),
            policies.POLICIES.default_sort,
            key="policy_id",
            timeline="policy",
        ),
        RegisterPage(
            "claims",
            "/api/v1/claims",
            (
                "claim_number",
                "status",
                "policy_number",
                "line",
                "cause",
                "loss_date",
                "reported_on",
                "estimated_amount",
                "decision",
                "decision_due_on",
                "decision_paused",
                "paid_total",
            ),
            _sorts(claims.CLAIMS),
            claims.CLAIMS.default_sort,
            key="claim_id",
            timeline="claim",
        ),
        RegisterPage(
            "complaints",
            "/api/v1/complaints",
            (
                "status",
                "category",
                "channel",
                "complainant_name",
                "received_on",
                "deadline_on",
                "days_allowed",
                "appraisal_open",
                "outcome",
                "on_time",
            ),
            _sorts(complaints.COMPLAINTS),
            complaints.COMPLAINTS.default_sort,
            key="complaint_id",
            timeline="complaint",
            personal=True,
        ),
        RegisterPage(
            "underwriting",
            "/api/v1/underwriting-decisions",
            (
                "policy_id",
                "status",
                "product_code",
                "sum_insured",
                "applied_on",
                "automatic_outcome",
                "decision",
                "decided_by",
                "underwriter_id",
                "decided_on",
                "turnaround_days",
            ),
            _sorts(underwriting.DECISIONS),
            underwriting.DECISIONS.default_sort,
            key="policy_id",
            timeline="policy",
        ),
        RegisterPage(
            "overdue",
            "/api/v1/premiums/overdue",
            ("policy_number", "product_code", "installment_no", "due_date", "amount", "grace_end", "status"),
            _sorts(premiums.INSTALLMENTS),
            premiums.INSTALLMENTS.default_sort,
            key="policy_id",
            timeline="policy",
        ),
        RegisterPage(
            "payments",
            "/api/v1/premiums/payments",
            ("position", "policy_number", "kind", "on", "amount", "installment_no", "method", "cover_from", "cover_to"),
            _sorts(premiums.PAYMENTS),
            premiums.PAYMENTS.default_sort,
            key="policy_id",
            timeline="policy",
        ),
        RegisterPage(
            "service-requests",
            "/api/v1/service-requests",
            ("status", "kind", "channel", "requested_on", "staff_id", "completed_on", "turnaround_days"),
            _sorts(service_requests.REQUESTS),
            service_requests.REQUESTS.default_sort,
            key="request_id",
            timeline="service-request",
        ),
        RegisterPage(
            "improvement-plans",
            "/api/v1/improvement-plans",
            (
                "status",
                "title",
                "dimension",
                "product_code",
                "channel",
                "owner_id",
                "raised_on",
                "baseline_score",
                "actions_done",
                "actions_total",
                "next_due_on",
                "follow_up_score",
                "score_change",
            ),
            _sorts(improvement_plans.PLANS),
            improvement_plans.PLANS.default_sort,
            key="plan_id",
            timeline="improvement-plan",
        ),
        RegisterPage(
            "risks",
            "/api/v1/risks",
            ("status", "category", "title", "likelihood", "impact", "score", "rating", "owner_id", "review_on"),
            _sorts(risks.RISKS),
            risks.RISKS.default_sort,
            key="risk_id",
            timeline="risk",
        ),
        RegisterPage(
            "risk-alerts",
            "/api/v1/risk-indicators/alerts",
            ("metric", "line", "period_to", "value", "threshold", "raised_on", "owner_id", "acknowledged_on"),
            _sorts(risks.ALERTS),
            risks.ALERTS.default_sort,
            key="indicator_id",
            timeline="risk-indicator",
        ),
        RegisterPage(
            "campaigns",
            "/api/v1/campaigns",
            (
                "status",
                "name",
                "channel",
                "starts_on",
                "ends_on",
                "owner_id",
                "customers_contacted",
                "prospects",
                "applications",
                "phase",
            ),
            _sorts(campaigns.CAMPAIGNS),
            campaigns.CAMPAIGNS.default_sort,
            key="campaign_id",
            timeline="campaign",
        ),
        RegisterPage(
            "treaties",
            "/api/v1/reinsurance/treaties",
            ("name", "kind", "status", "effective_from", "effective_to", "ended_on", "received_total"),
            _sorts(reinsurance_registers.TREATIES),
            reinsurance_registers.TREATIES.default_sort,
            key="treaty_id",
            timeline="treaty",
        ),
        RegisterPage(
            "cessions",
            "/api/v1/reinsurance/cessions",
            (
                "policy_number",
                "product_code",
                "line",
                "period_start",
                "sum_insured",
                "ceded_sum_insured",
                "retained",
                "beyond_capacity",
                "premium_ceded_total",
            ),
            _sorts(reinsurance_registers.CESSIONS),
            reinsurance_registers.CESSIONS.default_sort,
            key="policy_id",
            timeline="policy",
        ),
        RegisterPage(
            "bundles",
            "/api/v1/bundles",
            ("proposed_on", "applicant_id", "channel", "agent_id", "policy_count", "combined_annual_premium"),
            _sorts(bundles.BUNDLES),
            bundles.BUNDLES.default_sort,
            key="bundle_id",
            timeline="bundle",
        ),
        RegisterPage(
            "product-versions",
            "/api/v1/product-versions",
            (
                "code",
                "version",
                "name_zh",
                "line",
                "kind",
                "status",
                "drafted_by",
                "approved_by",
                "launches_on",
                "withdrawn_on",
                "on_sale",
            ),
            _sorts(products.PRODUCT_VERSIONS),
            products.PRODUCT_VERSIONS.default_sort,
        ),
        RegisterPage(
            "audit-log",
            "/api/v1/audit/log",
            (
                "position",
                "recorded_at",
                "actor_id",
                "actor_role",
                "channel",
                "aggregate_type",
                "aggregate_version",
                "event_type",
                "reason",
            ),
            _sorts(audit_log.AUDIT_LOG),
            "-position",
            key="aggregate_id",
        ),
    )
}

#: The timeline of each kind of aggregate: the API path of its history and of its register row.
TIMELINES: dict[str, tuple[str, str]] = {
    "customer": ("/api/v1/customers/{id}/history", "/api/v1/customers/{id}"),
    "policy": ("/api/v1/policies/{id}/history", "/api/v1/policies/{id}"),
    "claim": ("/api/v1/claims/{id}/history", "/api/v1/claims/{id}"),
    "complaint": ("/api/v1/complaints/{id}/history", "/api/v1/complaints/{id}"),
    "service-request": ("/api/v1/service-requests/{id}/history", "/api/v1/service-requests/{id}"),
    "improvement-plan": ("/api/v1/improvement-plans/{id}/history", "/api/v1/improvement-plans/{id}"),
    "risk": ("/api/v1/risks/{id}/history", "/api/v1/risks/{id}"),
    "risk-indicator": ("/api/v1/risk-indicators/{id}/history", "/api/v1/risk-indicators/{id}"),
    "campaign": ("/api/v1/campaigns/{id}/history", "/api/v1/campaigns/{id}"),
    "treaty": ("/api/v1/reinsurance/treaties/{id}/history", "/api/v1/reinsurance/treaties/{id}"),
    "bundle": ("/api/v1/bundles/{id}/history", "/api/v1/bundles/{id}"),
}

#: The audit log's aggregate types, as the timeline kinds they open.
AGGREGATE_KINDS = {
    "customer": "customer",
    "policy": "policy",
    "claim": "claim",
    "complaint": "complaint",
    "service_request": "service-request",
    "improvement": "improvement-plan",
    "risk": "risk",
    "risk_indicator": "risk-indicator",
    "campaign": "campaign",
    "reinsurance": "treaty",
    "bundle": "bundle",
}


@dataclass(frozen=True)
class Filter:
    """One filter of a register form: the API's query parameter, and how to ask for it."""

    name: str
    kind: str  # text | date | datetime | bool | choice
    choices: tuple[str, ...] = ()


def _schema_types(schema: Mapping[str, Any]) -> tuple[set[str], set[str], list[Any]]:
    """The JSON types, formats and enum values a parameter's schema allows (through `oneOf`)."""
    parts = [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]
    kinds = {str(p["type"]) for p in parts if isinstance(p.get("type"), str)}
    kinds |= {str(t) for p in parts if isinstance(p.get("type"), list) for t in p["type"]}
    formats = {str(p["format"]) for p in parts if "format" in p}
    choices = [v for p in parts for v in p.get("enum", []) if v is not None]
    return kinds, formats, choices


def filters_of(parameters: Sequence[Mapping[str, Any]]) -> list[Filter]:
    """The filters of an operation: its query parameters but those the console sets itself."""
    found: list[Filter] = []
    for parameter in parameters:
        if parameter.get("in") != "query" or parameter["name"] in CONTROLLED:
            continue
        kinds, formats, choices = _schema_types(parameter.get("schema", {}))
        if choices:
            found.append(Filter(parameter["name"], "choice", tuple(str(c) for c in choices)))
        elif "boolean" in kinds:
            found.append(Filter(parameter["name"], "bool"))
        elif "date-time" in formats:
            found.append(Filter(parameter["name"], "datetime"))
        elif "date" in formats:
            found.append(Filter(parameter["name"], "date"))
        else:
            found.append(Filter(parameter["name"], "text"))
    return found


def operation_parameters(schema: Mapping[str, Any], path: str) -> list[Mapping[str, Any]]:
    """The parameters the OpenAPI document declares for GET `path`."""
    operation = schema.get("paths", {}).get(path, {}).get("get", {})
    return list(operation.get("parameters", []))


def cell(value: Any) -> str:
    """A value as a table cell: nothing for null, yes/no marks for booleans, lists and objects compact."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {cell(v)}" for k, v in value.items())
    return str(value)
