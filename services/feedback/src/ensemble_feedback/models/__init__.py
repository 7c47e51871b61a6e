"""Feedback's domain models and API schemas."""
