"""Presentational pieces: take Vars and handlers, never call services."""
