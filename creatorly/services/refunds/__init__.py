"""Refunds: a creator gives back part or all of a paid order; the provider's event applies it."""
