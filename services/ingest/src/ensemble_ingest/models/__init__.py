"""Ingest's domain models and API schemas."""
