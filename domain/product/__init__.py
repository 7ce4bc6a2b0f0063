"""The product catalogue (SPEC §3): products as versioned reference data, their rules, quotation."""
