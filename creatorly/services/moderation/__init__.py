"""Reports about public content, the moderation queue, decisions, takedowns and appeals."""
