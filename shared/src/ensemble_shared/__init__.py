"""Ensemble's shared contracts (events, topics) and thin infrastructure used by every service."""
