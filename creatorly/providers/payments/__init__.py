"""Payment providers: the built-in sandbox (embedded default), later Stripe and Razorpay."""
