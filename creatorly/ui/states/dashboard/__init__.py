"""States of the creator dashboard."""
