"""The claim aggregate (SPEC §6): from report to closing, with its statutory clocks."""
