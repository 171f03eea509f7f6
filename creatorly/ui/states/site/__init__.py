"""States of the public site pages."""
