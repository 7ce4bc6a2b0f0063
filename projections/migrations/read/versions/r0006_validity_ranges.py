"""r0006: on PostgreSQL, an SP-GiST index of the validity ranges of each versioned register table whose rows
change often, `int8range(valid_from, valid_to)` including both positions (projections.versioned): a page, a total
or a row as of a past position reads the versions current then, not every version written before it. The
installments, surveys and policy parties (about one version a row) keep their B-tree. SQLite is unchanged.

Each register whose table gains it is also rebuilt from the log on its next start (its fingerprint changed), as
for any change to its tables.
"""

from projections.migrations.read.shapes import validity_indexes

revision = "r0006"
down_revision = "r0005"
branch_labels = None
depends_on = None

#: The tables as at r0006 (later revisions add their own).
TABLES = [
    "claim_flags",
    "claims",
    "complaints",
    "customers",
    "improvement_actions",
    "improvement_plan_actions",
    "improvement_plans",
    "policies",
    "risk_alerts",
    "risk_indicators",
    "risks",
    "service_requests",
    "underwriting_decisions",
]


def upgrade() -> None:
    validity_indexes(TABLES)


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
