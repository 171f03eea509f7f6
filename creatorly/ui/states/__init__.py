"""Reflex states: thin; each handler makes one service call and assigns plain data."""
