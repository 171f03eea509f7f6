"""Public site pages: landing, legal, not found."""
