"""Email delivery: the outbox (embedded default) or SMTP."""
