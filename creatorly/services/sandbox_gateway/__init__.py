"""The built-in sandbox payment gateway: a fake bank that takes test cards and sends signed webhooks."""
