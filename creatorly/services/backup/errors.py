"""Backup errors: a refusal or a damaged archive (exit 1), a missing or failing outside tool (exit 2)."""

from __future__ import annotations

from creatorly.errors import CreatorlyError


class BackupRefused(CreatorlyError):
    """The command will not run as asked (a non-empty target, an archive from newer code…); nothing was written."""

    code = "backup_refused"
    status = 409
    default_message = "The backup or restore was refused."


class ArchiveInvalid(CreatorlyError):
    """The archive is unreadable or does not match its manifest; nothing was restored."""

    code = "archive_invalid"
    status = 422
    default_message = "This is not a usable Creatorly backup archive."


class BackupDependencyError(CreatorlyError):
    """A tool the backup needs (pg_dump, pg_restore, the storage service) is missing or failed."""

    code = "backup_dependency_error"
    status = 500
    default_message = "A tool the backup needs is missing or failed."
