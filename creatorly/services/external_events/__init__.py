"""Inbound provider webhooks: verified, stored once per (provider, event id), then dispatched by type."""
