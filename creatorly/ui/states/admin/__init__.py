"""States of the platform admin pages."""
