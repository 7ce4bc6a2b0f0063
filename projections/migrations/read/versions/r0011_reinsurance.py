"""r0011: the reinsurance registers (guide 6.1.1 (6): projections.reinsurance): treaties, policies' cessions, claims'
recoveries and the ledger of reinsurance money; on PostgreSQL their partial indexes of the current rows per sortable
column (projections.register.now_indexes) and their indexes of validity ranges carrying the key and every sort
(r0009).

Each table is created only where it is missing (the runner creates every table from the code, so a database a
newer process started on has them).
"""

import sqlalchemy as sa
from alembic import op

from projections.migrations.read.shapes import Parts, create_missing, now_indexes, versioned

revision = "r0011"
down_revision = "r0010"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=18, scale=2)


def _json() -> sa.JSON:
    return sa.JSON(none_as_null=True)


def tables() -> dict[str, Parts]:
    """The new tables' columns, keys and indexes (new objects each call: one migration run each)."""
    return {
        "reinsurance_treaties": versioned(
            "reinsurance_treaties",
            "treaty_id",
            36,
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("lines", _json(), nullable=False),
            sa.Column("product_codes", _json(), nullable=False),
            sa.Column("terms", _json(), nullable=False),
            sa.Column("reinsurers", _json(), nullable=False),
            sa.Column("effective_from", sa.Date(), nullable=False),
            sa.Column("effective_to", sa.Date(), nullable=False),
            sa.Column("ended_on", sa.Date(), nullable=True),
            sa.Column("end_reason", sa.Text(), nullable=True),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("concluded_on", sa.Date(), nullable=False),
            sa.Column("concluded_by", sa.String(length=100), nullable=False),
            sa.Column("received_total", MONEY, nullable=False),
            sa.Column("last_event_on", sa.Date(), nullable=False),
        ),
        "policy_cessions": versioned(
            "policy_cessions",
            "policy_id",
            36,
            sa.Column("policy_number", sa.String(length=40), nullable=False),
            sa.Column("product_code", sa.String(length=50), nullable=False),
            sa.Column("line", sa.String(length=20), nullable=False),
            sa.Column("policy_status", sa.String(length=30), nullable=False),
            sa.Column("period_start", sa.Date(), nullable=False),
            sa.Column("sum_insured", MONEY, nullable=False),
            sa.Column("annual_premium", MONEY, nullable=False),
            sa.Column("ceded_sum_insured", MONEY, nullable=False),
            sa.Column("retained", MONEY, nullable=False),
            sa.Column("beyond_capacity", MONEY, nullable=False),
            sa.Column("treaties", _json(), nullable=False),
            sa.Column("treaty_ids", sa.Text(), nullable=False),
            sa.Column("premium_received", MONEY, nullable=False),
            sa.Column("premium_ceded", _json(), nullable=False),
            sa.Column("premium_ceded_total", MONEY, nullable=False),
            sa.Column("last_event_on", sa.Date(), nullable=False),
        ),
        "claim_recoveries": versioned(
            "claim_recoveries",
            "claim_id",
            36,
            sa.Column("claim_number", sa.String(length=40), nullable=False),
            sa.Column("policy_id", sa.String(length=36), nullable=False),
            sa.Column("paid_total", MONEY, nullable=False),
            sa.Column("owed", _json(), nullable=False),
            sa.Column("owed_total", MONEY, nullable=False),
            sa.Column("last_event_on", sa.Date(), nullable=False),
        ),
        "reinsurance_entries": (
            sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("on", sa.Date(), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("treaty_id", sa.String(length=36), nullable=True),
            sa.Column("reinsurer", sa.String(length=200), nullable=True),
            sa.Column("policy_id", sa.String(length=36), nullable=True),
            sa.Column("claim_id", sa.String(length=36), nullable=True),
            sa.Column("line", sa.String(length=20), nullable=True),
            sa.Column("product_code", sa.String(length=50), nullable=True),
            sa.Column("amount", MONEY, nullable=False),
            sa.PrimaryKeyConstraint("position", "n"),
            sa.Index("ix_reinsurance_entries_on", "on", "kind"),
            sa.Index("ix_reinsurance_entries_treaty", "treaty_id", "position"),
        ),
    }


#: table → (key, the sortable columns) as at r0011: the current rows' partial indexes, and what the index of
#: validity ranges carries after both positions (the key, then the sorts).
SORTS = {
    "reinsurance_treaties": (
        "treaty_id",
        ("effective_from", "effective_to", "kind", "name", "received_total", "status"),
    ),
    "policy_cessions": (
        "policy_id",
        (
            "beyond_capacity",
            "ceded_sum_insured",
            "period_start",
            "policy_number",
            "premium_ceded_total",
            "retained",
            "sum_insured",
        ),
    ),
    "claim_recoveries": ("claim_id", ("claim_number", "owed_total", "paid_total")),
}
COVERED: dict[str, tuple[str, ...]] = {table: (key, *columns) for table, (key, columns) in SORTS.items()}


def upgrade() -> None:
    create_missing(tables())
    now_indexes(SORTS)
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in COVERED.items():
            carried = ", ".join(("valid_from", "valid_to", *columns))
            op.execute(
                f"CREATE INDEX IF NOT EXISTS ix_{table}_validity ON {table} USING spgist (int8range(valid_from, "
                f"valid_to)) INCLUDE ({carried})"
            )


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
