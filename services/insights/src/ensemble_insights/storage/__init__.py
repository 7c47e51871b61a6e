"""Insights' repositories: every MongoDB call of this service lives in this package."""
