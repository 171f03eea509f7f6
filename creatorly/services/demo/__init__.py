"""Demo data for a fresh local install."""
