"""Identity claims: one aggregate per ID number (a second registration is refused)."""
