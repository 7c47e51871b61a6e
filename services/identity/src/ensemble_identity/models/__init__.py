"""Identity's documents, API schemas and value types (no I/O)."""
