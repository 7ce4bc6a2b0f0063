"""The write side's own tables' Alembic revisions (projections.migrations); the library's event tables are the library's."""
