"""Background and scheduled work on Huey; importing this package registers every job."""

from creatorly.jobs import analytics as analytics
from creatorly.jobs import checkout as checkout
from creatorly.jobs import email as email
from creatorly.jobs import external_events as external_events
from creatorly.jobs import memberships as memberships
from creatorly.jobs import payouts as payouts
from creatorly.jobs import reconciliation as reconciliation
from creatorly.jobs import sandbox_gateway as sandbox_gateway
from creatorly.jobs import scanning as scanning
from creatorly.jobs import sessions as sessions
from creatorly.services.checkout import events as checkout_events  # noqa: F401  (payment event handlers)
from creatorly.services.checkout import paypal_events as paypal_events  # registers the PayPal handlers
from creatorly.services.checkout import razorpay_events as razorpay_events  # Razorpay event handlers
from creatorly.services.checkout import stripe_events as stripe_events
from creatorly.services.payouts import events as payout_events  # noqa: F401  (payout event handlers)
from creatorly.services.refunds import events as refund_events  # noqa: F401  (refund event handlers)
from creatorly.services.refunds import provider_events as refund_provider_events  # noqa: F401
from creatorly.services.sessions import fulfilment as session_fulfilment  # noqa: F401  (holds paid slots)
from creatorly.services.tips import fulfilment as tip_fulfilment  # noqa: F401  (delivers paid tips)
