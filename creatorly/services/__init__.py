"""Use cases, one package per domain; each public use case owns its transaction."""
