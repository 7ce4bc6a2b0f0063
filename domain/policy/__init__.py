"""The policy aggregate (SPEC §5): application, underwriting, cover, premiums, changes, end."""
