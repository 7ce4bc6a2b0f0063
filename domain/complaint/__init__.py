"""The complaint aggregate (SPEC §7): receipt, decision clock, resolution."""
