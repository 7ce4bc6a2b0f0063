"""Who may do what: the one table of roles and permissions (SPEC §10)."""

from __future__ import annotations

ROLES = (
    "agent",
    "underwriter",
    "senior_underwriter",
    "claims_handler",
    "claims_manager",
    "complaints_officer",
    "complaints_manager",  # a complaints officer who also approves the especially complex extension (60 days)
    "service_manager",  # service quality: the survey analysis and the improvement plans (8.3.2)
    "risk_officer",  # the risk register and the key risk indicators (ch. 9)
    "marketing",  # campaigns: planned, their contacts and the applications they brought (2.1 (5))
    "reinsurance",  # treaties, and the recoveries reinsurers pay under them (6.1.1 (6))
    "product_manager",  # product versions drafted, checked, approved, launched and withdrawn (3.2)
    "auditor",
    "admin",
)

STAFF = frozenset(ROLES) - {"auditor"}

# permission → roles holding it. The auditor reads everything and changes nothing.
PERMISSIONS: dict[str, frozenset[str]] = {
    "customers.read": frozenset(ROLES),
    "customers.register": frozenset({"agent", "admin"}),
    "customers.update": frozenset({"agent", "complaints_officer", "complaints_manager", "admin"}),
    "customers.segment": frozenset({"agent", "admin"}),
    "customers.lifecycle": frozenset({"agent", "admin"}),
    "customers.interact": STAFF,
    "customers.consent": frozenset({"agent", "complaints_officer", "complaints_manager", "admin"}),
    "customers.analyse": frozenset({"agent", "underwriter", "senior_underwriter", "admin"}),
    "customers.survey": frozenset(
        {"agent", "claims_handler", "claims_manager", "complaints_officer", "complaints_manager", "admin"}
    ),
    "customers.plan": frozenset({"agent", "admin"}),
    "products.read": frozenset(ROLES),
    # 3.2 保险产品设计原则: product versions drafted, checked, approved (by another product role than their
    # authors: domain.product.approval), launched and withdrawn.
    "products.manage": frozenset({"product_manager", "admin"}),
    # A quote is a calculation from the catalogue and records nothing, so every role may ask for one.
    "quotes.create": frozenset(ROLES),
    "policies.read": frozenset(ROLES),
    "policies.apply": frozenset({"agent", "admin"}),
    "policies.underwrite": frozenset({"underwriter", "senior_underwriter", "admin"}),
    "policies.premium": frozenset({"agent", "admin"}),
    "policies.service": frozenset({"agent", "admin"}),
    "policies.rescind": frozenset({"senior_underwriter", "admin"}),
    "complaints.read": frozenset(ROLES),
    "complaints.receive": STAFF,
    "complaints.handle": frozenset({"complaints_officer", "complaints_manager", "admin"}),
    # The especially complex extension (to 60 days) also needs a manager: domain.authority
    # (COMPLAINT_EXTENSION_APPROVERS), checked on the command (403 insufficient-authority).
    "claims.read": frozenset(ROLES),
    "claims.report": frozenset({"agent", "claims_handler", "claims_manager", "admin"}),
    # Approval also needs authority for the amount (domain.authority): handler ≤ 50,000, manager above.
    "claims.handle": frozenset({"claims_handler", "claims_manager", "admin"}),
    "service.read": frozenset(ROLES),
    "service.handle": STAFF,
    # 8.3.2 improvement plans from the satisfaction surveys: raised and carried through by service quality.
    "improvement.read": frozenset(ROLES),
    "improvement.plan": frozenset({"service_manager", "complaints_manager", "admin"}),
    # ch. 9 风险识别, 评估与控制: the risk register and the key risk indicators, kept by the risk officer.
    "risk.read": frozenset(ROLES),
    "risk.manage": frozenset({"risk_officer", "admin"}),
    # 2.1 (5) 营销活动策划: campaigns planned by marketing; agents contact customers and link applications too.
    "campaigns.read": frozenset(ROLES),
    "campaigns.plan": frozenset({"marketing", "admin"}),
    "campaigns.contact": frozenset({"marketing", "agent", "admin"}),
    # 6.1.1 (6) 有效利用再保险支持: treaties concluded, ended and settled by the reinsurance team; their
    # cessions and recoveries are figures every role may read (no personal data).
    "reinsurance.read": frozenset(ROLES),
    "reinsurance.manage": frozenset({"reinsurance", "admin"}),
    # Management and regulatory reports (SPEC §8): figures, no personal data.
    "reports.read": frozenset(
        {
            "underwriter",
            "senior_underwriter",
            "claims_manager",
            "complaints_officer",
            "complaints_manager",
            "service_manager",
            "risk_officer",
            "marketing",
            "reinsurance",
            "product_manager",
            "auditor",
            "admin",
        }
    ),
    "audit.read": frozenset({"auditor", "admin"}),
    # Personal data (SPEC §9, PIPL). Registers show ID numbers and contacts masked to everyone; a role
    # holding personal.read may ask for them unmasked (?unmasked=true&reason=…), and each such read is
    # recorded. The auditor does not hold it: checking the trail needs who did what and when, not whose
    # ID number it was (minimum necessary, PIPL Art. 6); an audit that needs it is done with an admin.
    "personal.read": STAFF,
    # A customer's deletion request (Art. 47), taken by the staff who deal with customers.
    "personal.erasure_request": frozenset({"agent", "complaints_officer", "complaints_manager", "admin"}),
    # Destroying a customer's key outright (after retention ended) is an administrator's act.
    "personal.erase": frozenset({"admin"}),
    "retention.read": frozenset({"agent", "complaints_officer", "complaints_manager", "auditor", "admin"}),
    "projections.read": frozenset({"auditor", "admin"}),
}


def allowed(role: str, permission: str) -> bool:
    """True if `role` holds `permission` (unknown permissions are held by nobody)."""
    return role in PERMISSIONS.get(permission, frozenset())
