"""Platform admin pages."""
