"""Scheduler's domain models and API schemas."""
