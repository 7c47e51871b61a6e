"""Ensemble ingest: platform connectors, canonical mentions, dedup; emits the mentions stream."""
