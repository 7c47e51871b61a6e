"""Outbound email: Jinja2 templates (FR/EN, text + HTML) and the SMTP sender."""
