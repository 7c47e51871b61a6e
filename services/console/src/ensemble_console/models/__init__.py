"""What the APIs answer, as the pages read it (unknown fields ignored: APIs only add fields)."""
