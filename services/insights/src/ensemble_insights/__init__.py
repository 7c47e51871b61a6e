"""Ensemble insights: analytics projections rebuilt from the event history, and reports."""
