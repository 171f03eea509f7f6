"""Transactional email through the outbox: queued with the sender's data, delivered by a job."""
