"""Background and scheduled work on Huey; importing this package registers every job."""

from creatorly.jobs import email as email
from creatorly.jobs import external_events as external_events
