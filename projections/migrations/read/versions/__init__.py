"""Revisions of the read side, oldest first (Alembic reads them by file; never edit one once released)."""
