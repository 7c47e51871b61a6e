"""Ensemble notify: routes events to people, teams and integrators; delivers exactly once per key."""
