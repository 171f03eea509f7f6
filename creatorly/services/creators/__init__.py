"""Creators: onboarding, storefront profile, handles and images."""
