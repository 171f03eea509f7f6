"""Creators' storefronts and their products."""
