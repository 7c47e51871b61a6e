"""Ensemble identity: workspaces, accounts, sign-in, roles and teams, API keys, token keys."""
