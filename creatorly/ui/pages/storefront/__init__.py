"""Public storefront pages."""
