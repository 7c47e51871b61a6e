"""Insights' value types, documents and API schemas."""
