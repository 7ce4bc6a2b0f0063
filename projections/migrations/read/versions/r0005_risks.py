"""r0005: the risk register, the key risk indicators and their alerts (guide ch. 9: projections.risks); on
PostgreSQL their partial indexes of the current rows per sortable column (projections.register.now_indexes).

Each table is created only where it is missing (the runner creates every table from the code, so a database a
newer process started on has them).
"""

import sqlalchemy as sa

from projections.migrations.read.shapes import Parts, create_missing, now_indexes, versioned

revision = "r0005"
down_revision = "r0004"
branch_labels = None
depends_on = None


def tables() -> dict[str, Parts]:
    """The new tables' columns, keys and indexes (new objects each call: one migration run each)."""
    return {
        "risks": versioned(
            "risks",
            "risk_id",
            36,
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
            sa.Index("ix_risks_owner", "owner_id", "valid_to"),
        ),
        "risk_indicators": versioned(
            "risk_indicators",
            "indicator_id",
            36,
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
        ),
        "risk_alerts": versioned(
            "risk_alerts",
            "alert_id",
            50,
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
        ),
    }


#: table → (key, the sorts it offers), as at r0005.
SORTS = {
    "risks": ("risk_id", ("category", "identified_on", "review_on", "score")),
    "risk_indicators": ("indicator_id", ("defined_on", "last_period_to", "metric")),
    "risk_alerts": ("alert_id", ("metric", "period_to", "raised_on")),
}


def upgrade() -> None:
    create_missing(tables())
    now_indexes(SORTS)


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
