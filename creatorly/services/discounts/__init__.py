"""Discount codes: creators make them, checkout redeems them."""
