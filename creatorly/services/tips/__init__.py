"""Tips: one-off payments with a message to a creator, a supporter wall and a tip goal."""
