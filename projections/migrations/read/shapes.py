"""What the read side's revisions from r0004 on share: a system-versioned register table's standard parts
(projections.versioned.versioned_table), creating only the tables missing, and PostgreSQL's partial indexes of
the current rows per sortable column (projections.register.now_indexes). Each revision still lists its own
columns and sorts, as they were when it was written."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from alembic import op

Parts = tuple[sa.schema.SchemaItem, ...]


def versioned(table: str, key: str, key_length: int, *parts: sa.schema.SchemaItem) -> Parts:
    """The table's key, `valid_from`/`valid_to`, its `parts`, the primary key and the two indexes every
    versioned register has (`ix_<table>_current`, `ix_<table>_range`)."""
    return (
        sa.Column(key, sa.String(length=key_length), nullable=False),
        sa.Column("valid_from", sa.BigInteger(), nullable=False),
        sa.Column("valid_to", sa.BigInteger(), nullable=True),
        *parts,
        sa.PrimaryKeyConstraint(key, "valid_from"),
        sa.Index(f"ix_{table}_current", key, "valid_to"),
        sa.Index(f"ix_{table}_range", "valid_from", "valid_to"),
    )


def create_missing(tables: dict[str, Parts]) -> None:
    """Create each table not there yet (the runner creates every table from the code, so a database a newer
    process started on has them)."""
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, parts in tables.items():
        if name not in present:
            op.create_table(name, *parts)


def now_indexes(sorts: Mapping[str, tuple[str, tuple[str, ...]]]) -> None:
    """On PostgreSQL, for each table → (key, sortable columns): `column ASC|DESC NULLS LAST, key` where
    `valid_to IS NULL`."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, (key, columns) in sorts.items():
        for column in columns:
            for suffix, order in (("", "ASC"), ("_desc", "DESC")):
                op.execute(
                    f"CREATE INDEX IF NOT EXISTS ix_{table}_now_{column}{suffix} ON {table} "
                    f"({column} {order} NULLS LAST, {key}) WHERE valid_to IS NULL"
                )


def validity_indexes(tables: list[str]) -> None:
    """On PostgreSQL, each versioned table's SP-GiST index of its validity ranges, including both positions
    (projections.versioned: read as of a past position)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_{table}_validity ON {table} "
            "USING spgist (int8range(valid_from, valid_to)) INCLUDE (valid_from, valid_to)"
        )
