"""r0005: the risk register, the key risk indicators and their alerts (guide ch. 9: projections.risks); on
PostgreSQL their partial indexes of the current rows per sortable column (projections.register.now_indexes).

Each table is created only where it is missing (the runner creates every table from the code, so a database a
newer process started on has them).
"""

import sqlalchemy as sa
from alembic import op

revision = "r0005"
down_revision = "r0004"
branch_labels = None
depends_on = None


def tables() -> dict[str, tuple[sa.schema.SchemaItem, ...]]:
    """The new tables' columns, keys and indexes (new objects each call: one migration run each)."""
    return {
        "risks": (
            sa.Column("risk_id", sa.String(length=36), nullable=False),
            sa.Column("valid_from", sa.BigInteger(), nullable=False),
            sa.Column("valid_to", sa.BigInteger(), nullable=True),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("category", sa.String(length=20), nullable=False),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("description", sa.Text(), nullable=False),
            sa.Column("likelihood", sa.Integer(), nullable=False),
            sa.Column("impact", sa.Integer(), nullable=False),
            sa.Column("score", sa.Integer(), nullable=False),
            sa.Column("rating", sa.String(length=10), nullable=False),
            sa.Column("owner_id", sa.String(length=100), nullable=False),
            sa.Column("controls", sa.JSON(none_as_null=True), nullable=False),
            sa.Column("identified_on", sa.Date(), nullable=False),
            sa.Column("assessed_on", sa.Date(), nullable=True),
            sa.Column("reviewed_on", sa.Date(), nullable=True),
            sa.Column("review_on", sa.Date(), nullable=False),
            sa.Column("closed_on", sa.Date(), nullable=True),
            sa.Column("close_reason", sa.Text(), nullable=True),
            sa.Column("last_event_on", sa.Date(), nullable=False),
            sa.PrimaryKeyConstraint("risk_id", "valid_from"),
            sa.Index("ix_risks_current", "risk_id", "valid_to"),
            sa.Index("ix_risks_owner", "owner_id", "valid_to"),
            sa.Index("ix_risks_range", "valid_from", "valid_to"),
        ),
        "risk_indicators": (
            sa.Column("indicator_id", sa.String(length=36), nullable=False),
            sa.Column("valid_from", sa.BigInteger(), nullable=False),
            sa.Column("valid_to", sa.BigInteger(), nullable=True),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("metric", sa.String(length=50), nullable=False),
            sa.Column("direction", sa.String(length=10), nullable=False),
            sa.Column("line", sa.String(length=20), nullable=True),
            sa.Column("threshold", sa.Numeric(precision=18, scale=2), nullable=False),
            sa.Column("owner_id", sa.String(length=100), nullable=False),
            sa.Column("risk_id", sa.String(length=100), nullable=True),
            sa.Column("defined_on", sa.Date(), nullable=False),
            sa.Column("last_period_to", sa.Date(), nullable=True),
            sa.Column("last_value", sa.Numeric(precision=18, scale=2), nullable=True),
            sa.Column("in_breach", sa.Boolean(), nullable=False),
            sa.Column("measurements", sa.Integer(), nullable=False),
            sa.Column("alerts", sa.Integer(), nullable=False),
            sa.Column("alerts_open", sa.Integer(), nullable=False),
            sa.Column("retired_on", sa.Date(), nullable=True),
            sa.Column("last_event_on", sa.Date(), nullable=False),
            sa.PrimaryKeyConstraint("indicator_id", "valid_from"),
            sa.Index("ix_risk_indicators_current", "indicator_id", "valid_to"),
            sa.Index("ix_risk_indicators_range", "valid_from", "valid_to"),
        ),
        "risk_alerts": (
            sa.Column("alert_id", sa.String(length=50), nullable=False),
            sa.Column("valid_from", sa.BigInteger(), nullable=False),
            sa.Column("valid_to", sa.BigInteger(), nullable=True),
            sa.Column("indicator_id", sa.String(length=36), nullable=False),
            sa.Column("no", sa.Integer(), nullable=False),
            sa.Column("metric", sa.String(length=50), nullable=False),
            sa.Column("line", sa.String(length=20), nullable=True),
            sa.Column("owner_id", sa.String(length=100), nullable=False),
            sa.Column("period_from", sa.Date(), nullable=False),
            sa.Column("period_to", sa.Date(), nullable=False),
            sa.Column("value", sa.Numeric(precision=18, scale=2), nullable=True),
            sa.Column("threshold", sa.Numeric(precision=18, scale=2), nullable=False),
            sa.Column("position", sa.BigInteger(), nullable=False),
            sa.Column("raised_on", sa.Date(), nullable=False),
            sa.Column("acknowledged_on", sa.Date(), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("last_event_on", sa.Date(), nullable=False),
            sa.PrimaryKeyConstraint("alert_id", "valid_from"),
            sa.Index("ix_risk_alerts_current", "alert_id", "valid_to"),
            sa.Index("ix_risk_alerts_range", "valid_from", "valid_to"),
        ),
    }


#: table → (key, the sorts it offers), as at r0005.
SORTS = {
    "risks": ("risk_id", ("category", "identified_on", "review_on", "score")),
    "risk_indicators": ("indicator_id", ("defined_on", "last_period_to", "metric")),
    "risk_alerts": ("alert_id", ("metric", "period_to", "raised_on")),
}


def upgrade() -> None:
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    for name, parts in tables().items():
        if name not in present:
            op.create_table(name, *parts)
    if bind.dialect.name == "postgresql":
        for table, (key, sorts) in SORTS.items():
            for column in sorts:
                for suffix, order in (("", "ASC"), ("_desc", "DESC")):
                    op.execute(
                        f"CREATE INDEX IF NOT EXISTS ix_{table}_now_{column}{suffix} ON {table} "
                        f"({column} {order} NULLS LAST, {key}) WHERE valid_to IS NULL"
                    )


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
