"""Hosted pages of the built-in sandbox payment gateway."""
