"""Recorded disclosures of unmasked personal data (SPEC §9, PIPL): one aggregate each."""
