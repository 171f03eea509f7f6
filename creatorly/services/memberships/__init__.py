"""Memberships: tiers, subscriptions, gated posts and comments."""
