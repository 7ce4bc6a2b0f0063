"""s0001: the product's own write-side tables as the recorders created them before migrations: the command log,
the hash chain and the personal-data keys (application.infrastructure.recorders).

`IF NOT EXISTS` throughout: an event store made by that code (or by the recorder, which still creates these
tables with the same statements so a process starts on an empty database) is recognised as being at s0001.
"""

from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None

SQLITE = (
    (
        "CREATE TABLE IF NOT EXISTS inscribe_commands (command_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
        "aggregate_id TEXT NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS inscribe_event_chain (position INTEGER PRIMARY KEY, content TEXT NOT NULL, "
        "hash TEXT NOT NULL, kind TEXT NOT NULL)"
    ),
    "CREATE INDEX IF NOT EXISTS ix_inscribe_event_chain_content ON inscribe_event_chain (content)",
    (
        "CREATE TABLE IF NOT EXISTS inscribe_personal_keys (subject TEXT PRIMARY KEY, key BLOB, "
        "created_at TEXT NOT NULL, shredded_at TEXT)"
    ),
)
POSTGRES = (
    (
        "CREATE TABLE IF NOT EXISTS inscribe_personal_keys (subject text PRIMARY KEY, key bytea, "
        "created_at timestamptz NOT NULL, shredded_at timestamptz)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS inscribe_event_chain (position bigint PRIMARY KEY, content text NOT NULL, "
        "hash text NOT NULL, kind text NOT NULL)"
    ),
    "CREATE INDEX IF NOT EXISTS inscribe_event_chain_content ON inscribe_event_chain (content)",
    (
        "CREATE TABLE IF NOT EXISTS inscribe_commands (command_id text PRIMARY KEY, fingerprint text NOT NULL, "
        "aggregate_id text NOT NULL, version bigint NOT NULL, position bigint NOT NULL)"
    ),
)


def upgrade() -> None:
    for statement in POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the command log, the hash chain and the keys are never dropped")
