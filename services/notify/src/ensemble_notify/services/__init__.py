"""Notify's business rules: no FastAPI, no FastStream, no driver."""
