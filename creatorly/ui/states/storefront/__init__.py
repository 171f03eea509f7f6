"""States of the public storefront pages."""
