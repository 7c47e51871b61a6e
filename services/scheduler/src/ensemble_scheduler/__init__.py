"""Ensemble scheduler: content, approval workflows, the calendar and publishing, durable timers."""
