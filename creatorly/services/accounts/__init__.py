"""Accounts: people, their credentials and roles."""
