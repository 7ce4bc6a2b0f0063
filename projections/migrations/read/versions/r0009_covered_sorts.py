"""r0009: on PostgreSQL, each register's index of validity ranges (r0006) also carries its key and every column a page
sorts by (projections.register.covered_sorts): a page as of a past position finds its 50 rows from the index alone,
then reads those rows, instead of reading every version current then to sort them. Made again where it is.

Each register whose index changes is also rebuilt from the log on its next start (its fingerprint changed), as for
any change to its tables.
"""

from alembic import op

revision = "r0009"
down_revision = "r0008"
branch_labels = None
depends_on = None

#: table → the columns its index carries after both positions: the key, then the sorts (as at r0009).
COVERED: dict[str, tuple[str, ...]] = {
    "campaigns": ("campaign_id", "applications", "customers_contacted", "ends_on", "name", "starts_on", "status"),
    "claim_flags": ("flag_key", "claim_number", "claim_status", "indicator", "raised_on"),
    "claims": (
        "claim_id",
        "claim_number",
        "decision_due_on",
        "last_event_on",
        "loss_date",
        "paid_total",
        "reported_on",
        "reserve",
        "status",
    ),
    "complaints": ("complaint_id", "category", "deadline_on", "received_on", "status"),
    "customers": ("customer_id", "lifecycle_stage", "name_folded", "registered_at", "segment", "updated_at"),
    "improvement_actions": ("action_key", "added_on", "completed_on", "due_on", "owner_id", "status"),
    "improvement_plans": ("plan_id", "dimension", "next_due_on", "raised_on", "score_change", "status"),
    "policies": (
        "policy_id",
        "annual_premium",
        "applied_on",
        "end_date",
        "next_due_date",
        "policy_number",
        "renewal_due_on",
        "start_date",
        "status",
        "sum_insured",
    ),
    "risk_alerts": ("alert_id", "metric", "period_to", "raised_on"),
    "risk_indicators": ("indicator_id", "defined_on", "last_period_to", "metric"),
    "risks": ("risk_id", "category", "identified_on", "review_on", "score"),
    "service_requests": ("request_id", "completed_on", "kind", "requested_on", "status"),
    "underwriting_decisions": (
        "policy_id",
        "applied_on",
        "decided_on",
        "examination_due_on",
        "product_code",
        "status",
        "sum_insured",
        "turnaround_days",
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COVERED.items():
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_validity")
        carried = ", ".join(("valid_from", "valid_to", *columns))
        op.execute(
            f"CREATE INDEX ix_{table}_validity ON {table} USING spgist (int8range(valid_from, valid_to)) "
            f"INCLUDE ({carried})"
        )


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
