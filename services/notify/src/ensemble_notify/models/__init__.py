"""Notify's domain models and API schemas."""
