"""Reconciliation: compare the ledger with orders, payouts and the providers' own records."""
