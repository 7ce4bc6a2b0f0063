"""`inscribe demo`: a simulated book of business built through the real commands."""
