"""The after-sales service request aggregate (SPEC §8; guide 8.1)."""
