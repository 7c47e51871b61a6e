"""The console's web foundation: pages, languages, sessions, CSRF, security headers, errors."""
