"""r0001: the read side as the code created it before migrations (every register, positions, faults, fingerprints).

Creates only the tables that are missing: a read side made by that code is recognised as being at r0001 as it is.
"""

import sqlalchemy as sa
from alembic import op

from projections.migrations.read import baseline_cases, baseline_contracts

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    baseline = sa.MetaData()
    baseline_contracts.define(baseline)
    baseline_cases.define(baseline)
    baseline.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
