"""Platform connectors: webhook receivers and pulled/streamed sources, one module per platform."""
