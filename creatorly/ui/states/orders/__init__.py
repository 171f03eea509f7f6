"""States of the buyer's order pages."""
