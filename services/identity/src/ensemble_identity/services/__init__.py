"""Identity's rules: sign-in, sessions, tokens, invitations, roles; no web or driver code."""
