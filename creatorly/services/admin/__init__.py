"""The operator's side of the platform: the admin console's reads and actions, and moderation."""
