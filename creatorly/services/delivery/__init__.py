"""Delivery: the buyer's order page and protected, counted downloads of purchased files."""
