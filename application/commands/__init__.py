"""Command handlers: load → call the aggregate → save, with the rules that span aggregates."""
