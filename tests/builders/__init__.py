"""Test data builders shared by the test modules (fixtures live in conftest files)."""
