"""States of the built-in sandbox gateway's hosted pages."""
