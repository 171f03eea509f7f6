"""Ledger: an append-only double-entry record of money owed, in integer minor units per currency."""
