"""Audience: fans' emails left on storefronts, double opt-in, one-click unsubscribe and the creator's list."""
