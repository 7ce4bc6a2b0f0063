"""The read side's Alembic revisions (projections.migrations)."""
