"""Private file storage: a local folder (embedded default) or S3."""
