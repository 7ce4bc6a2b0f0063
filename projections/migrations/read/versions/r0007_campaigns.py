"""r0007: the campaigns register, its contacts and its linked applications (guide 2.1 (5): projections.campaigns);
on PostgreSQL the campaigns' partial indexes of the current rows per sortable column
(projections.register.now_indexes) and their index of validity ranges (r0006).

Each table is created only where it is missing (the runner creates every table from the code, so a database a
newer process started on has them).
"""

import sqlalchemy as sa

from projections.migrations.read.shapes import Parts, create_missing, now_indexes, validity_indexes, versioned

revision = "r0007"
down_revision = "r0006"
branch_labels = None
depends_on = None


def tables() -> dict[str, Parts]:
    """The new tables' columns, keys and indexes (new objects each call: one migration run each)."""
    return {
        "campaigns": versioned(
            "campaigns",
            "campaign_id",
            36,
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("objective", sa.Text(), nullable=False),
            sa.Column("segments", sa.JSON(none_as_null=True), nullable=False),
            sa.Column("channel", sa.String(length=20), nullable=False),
            sa.Column("product_codes", sa.JSON(none_as_null=True), nullable=False),
            sa.Column("starts_on", sa.Date(), nullable=False),
            sa.Column("ends_on", sa.Date(), nullable=False),
            sa.Column("attribution_ends_on", sa.Date(), nullable=False),
            sa.Column("owner_id", sa.String(length=100), nullable=False),
            sa.Column("planned_on", sa.Date(), nullable=False),
            sa.Column("last_event_on", sa.Date(), nullable=False),
            sa.Column("contacts", sa.Integer(), nullable=False),
            sa.Column("customers_contacted", sa.Integer(), nullable=False),
            sa.Column("prospects", sa.Integer(), nullable=False),
            sa.Column("applications", sa.Integer(), nullable=False),
            sa.Column("closed_on", sa.Date(), nullable=True),
            sa.Column("close_reason", sa.Text(), nullable=True),
            sa.Index("ix_campaigns_owner", "owner_id", "valid_to"),
        ),
        "campaign_contacts": (
            sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("campaign_id", sa.String(length=36), nullable=False),
            sa.Column("customer_id", sa.String(length=100), nullable=False),
            sa.Column("segment", sa.String(length=50), nullable=False),
            sa.Column("outcome", sa.String(length=20), nullable=False),
            sa.Column("staff_id", sa.String(length=100), nullable=False),
            sa.Column("on", sa.Date(), nullable=False),
            sa.PrimaryKeyConstraint("position"),
            sa.Index("ix_campaign_contacts_campaign", "campaign_id", "position"),
            sa.Index("ix_campaign_contacts_on", "on"),
        ),
        "campaign_applications": (
            sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("campaign_id", sa.String(length=36), nullable=False),
            sa.Column("policy_id", sa.String(length=36), nullable=False),
            sa.Column("customer_id", sa.String(length=100), nullable=False),
            sa.Column("product_code", sa.String(length=50), nullable=False),
            sa.Column("applied_on", sa.Date(), nullable=False),
            sa.Column("on", sa.Date(), nullable=False),
            sa.PrimaryKeyConstraint("position"),
            sa.Index("ix_campaign_applications_campaign", "campaign_id", "position"),
            sa.Index("ix_campaign_applications_policy", "policy_id"),
        ),
    }


SORTS = {
    "campaigns": ("campaign_id", ("applications", "customers_contacted", "ends_on", "name", "starts_on", "status"))
}


def upgrade() -> None:
    create_missing(tables())
    now_indexes(SORTS)
    validity_indexes(["campaigns"])


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
