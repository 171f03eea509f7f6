"""Background and scheduled work on Huey; importing this package registers every job."""

from creatorly.jobs import checkout as checkout
from creatorly.jobs import email as email
from creatorly.jobs import external_events as external_events
from creatorly.jobs import sandbox_gateway as sandbox_gateway
from creatorly.services.checkout import events as checkout_events  # noqa: F401  (payment event handlers)
