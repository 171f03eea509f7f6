"""Adapters to outside systems; the only package that imports their SDKs."""
