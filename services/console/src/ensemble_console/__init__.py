"""Ensemble's web console: server-rendered pages over the services' APIs."""
