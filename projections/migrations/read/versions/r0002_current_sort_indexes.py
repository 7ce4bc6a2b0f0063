"""r0002: on PostgreSQL, two partial indexes of the current rows of each register per sortable column
(projections.register.now_indexes): `column ASC NULLS LAST, key` and `column DESC NULLS LAST, key`, where
`valid_to IS NULL`. A page of now walks them in order and counts from them. SQLite is unchanged.

Each register whose table gains them is also rebuilt from the log on its next start (its fingerprint
changed), as for any change to its tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None

#: table → (key column, the sorts it offers: a column, or (the sort's name, its column)). Frozen as at r0002.
SORTS: dict[str, tuple[str, tuple[str | tuple[str, str], ...]]] = {
    "claim_flags": ("flag_key", ("claim_number", "claim_status", "indicator", "raised_on")),
    "claims": (
        "claim_id",
        (
            "claim_number",
            "decision_due_on",
            "last_event_on",
            "loss_date",
            "paid_total",
            "reported_on",
            "reserve",
            "status",
        ),
    ),
    "complaints": ("complaint_id", ("category", "deadline_on", "received_on", "status")),
    "customers": (
        "customer_id",
        ("lifecycle_stage", ("name", "name_folded"), "registered_at", "segment", "updated_at"),
    ),
    "improvement_actions": ("action_key", ("added_on", "completed_on", "due_on", "owner_id", "status")),
    "policies": (
        "policy_id",
        (
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
    ),
    "premium_installments": (
        "installment_id",
        ("amount", "due_date", "installment_no", "paid_on", "policy_number", "status"),
    ),
    "service_requests": ("request_id", ("completed_on", "kind", "requested_on", "status")),
    "underwriting_decisions": (
        "policy_id",
        ("applied_on", "decided_on", "product_code", "status", "sum_insured", "turnaround_days"),
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    statements = []
    for table, (key, sorts) in SORTS.items():
        for sort in sorts:
            name, column = (sort, sort) if isinstance(sort, str) else sort
            for suffix, order in (("", "ASC"), ("_desc", "DESC")):
                statements.append(
                    f"CREATE INDEX IF NOT EXISTS ix_{table}_now_{name}{suffix} ON {table} "
                    f"({column} {order} NULLS LAST, {key}) WHERE valid_to IS NULL"
                )
    # One statement for the server (a block running each), not one round trip per index: every database the
    # product starts on runs this.
    op.execute(sa.text("DO $$ BEGIN " + " ".join(f"EXECUTE '{s}';" for s in statements) + " END $$"))


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
