"""Checkout: turn a buyer's click into an order and a payment, and fulfil it when the payment arrives."""
