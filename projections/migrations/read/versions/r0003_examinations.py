"""r0003: the underwriting decisions register shows each case's inspections and medical examinations
(guide 6.1.2 (2); domain.policy.examinations): `examinations` (each as ordered and reported),
`examinations_outstanding` and `examination_due_on` (the earliest due date of those the case waits for). On
PostgreSQL the two partial indexes of the current rows for sorting by `examination_due_on`
(projections.register.now_indexes).

The register is rebuilt from the log on its next start (its fingerprint changed), which fills the columns.
"""

import sqlalchemy as sa
from alembic import op

revision = "r0003"
down_revision = "r0002"
branch_labels = None
depends_on = None


COLUMNS = (
    ("examinations", sa.JSON(none_as_null=True)),
    ("examinations_outstanding", sa.Integer()),
    ("examination_due_on", sa.Date()),
)


def upgrade() -> None:
    # A table the code made after this revision was written (the runner creates every table from the code) has them.
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("underwriting_decisions")}
    for name, kind in COLUMNS:
        if name not in present:
            op.add_column("underwriting_decisions", sa.Column(name, kind, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for suffix, order in (("", "ASC"), ("_desc", "DESC")):
            op.execute(
                f"CREATE INDEX IF NOT EXISTS ix_underwriting_decisions_now_examination_due_on{suffix} "
                f"ON underwriting_decisions (examination_due_on {order} NULLS LAST, policy_id) WHERE valid_to IS NULL"
            )


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
