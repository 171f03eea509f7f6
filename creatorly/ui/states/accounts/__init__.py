"""States of the account pages."""
