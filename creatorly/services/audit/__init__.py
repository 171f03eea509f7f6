"""The audit log: who changed money, permissions or moderation, what changed, why, from which request."""
