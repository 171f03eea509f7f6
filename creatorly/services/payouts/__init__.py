"""Payouts: balances from the ledger, payout accounts, withdrawals, schedules and the provider outcome."""
