"""The projection: facts folded into per-entity state and dated contributions (pure)."""
