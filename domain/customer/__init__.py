"""The customer aggregate (SPEC §4): individuals and enterprises."""
