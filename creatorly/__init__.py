"""Creatorly: a creator-commerce platform."""
