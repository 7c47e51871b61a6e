"""Insights' rules: facts, the projection, queries and reports (no framework imports)."""
