"""Backup and restore: one consistent archive of the database and the private files, and its way back."""
