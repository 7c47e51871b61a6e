"""OpenID Connect relying party: talking to identity providers (Authlib, joserfc)."""
