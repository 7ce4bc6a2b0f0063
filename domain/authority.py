"""Authority limits (guide 6.3, 7.3): how large a sum a role may underwrite or a claim it may pay.

A limit is inclusive: an underwriter may decide a case of exactly 1,000,000. `None` is unlimited;
a role missing from a table has no authority of that kind at all.
"""

from __future__ import annotations

from decimal import Decimal

from domain.errors import InsufficientAuthority

AUTHORITY_LIMITS: dict[str, Decimal | None] = {
    "underwriter": Decimal(1000000),
    "senior_underwriter": None,
    "admin": None,
}
CLAIMS_AUTHORITY_LIMITS: dict[str, Decimal | None] = {
    "claims_handler": Decimal(50000),
    "claims_manager": None,
    "admin": None,
}


def _check(limits: dict[str, Decimal | None], kind: str, role: str, amount: Decimal | int) -> None:
    if role not in limits:
        raise InsufficientAuthority(f"a {role} has no {kind} authority", role=role, amount=str(amount))
    limit = limits[role]
    if limit is not None and Decimal(amount) > limit:
        raise InsufficientAuthority(
            f"a {role} may decide {kind} up to {limit}, not {amount}", role=role, limit=str(limit), amount=str(amount)
        )


def check_underwriting_authority(role: str, sum_insured: Decimal | int) -> None:
    """Raise InsufficientAuthority unless `role` may decide a case of this sum insured (6.3)."""
    _check(AUTHORITY_LIMITS, "underwriting", role, sum_insured)


def check_claims_authority(role: str, amount: Decimal | int) -> None:
    """Raise InsufficientAuthority unless `role` may approve a claim payment of this amount."""
    _check(CLAIMS_AUTHORITY_LIMITS, "claims", role, amount)


#: Roles that may approve an especially complex complaint's extension to 60 days (《银行业保险业消费投诉处理
#: 管理办法》 Art. 21: "经投诉处理工作负责人批准"): a complaints manager, or an administrator.
COMPLAINT_EXTENSION_APPROVERS = frozenset({"complaints_manager", "admin"})


def check_complaint_extension_authority(role: str) -> None:
    """Raise InsufficientAuthority unless `role` may approve the especially complex extension."""
    if role not in COMPLAINT_EXTENSION_APPROVERS:
        raise InsufficientAuthority(
            f"a {role} may not approve an especially complex extension; a complaints_manager (or admin) must", role=role
        )
