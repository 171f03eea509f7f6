"""The buyer's order pages."""
