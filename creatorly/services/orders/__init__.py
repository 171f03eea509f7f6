"""Orders: purchases from creation to payment, refund or expiry."""
