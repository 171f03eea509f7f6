"""Creator dashboard pages."""
