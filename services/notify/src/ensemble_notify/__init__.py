"""Ensemble notify: routes events to people, teams and integrators; one delivery per key."""
