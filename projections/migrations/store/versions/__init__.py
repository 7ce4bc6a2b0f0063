"""Revisions of the product's own write-side tables, oldest first (never edit one once released)."""
