"""Insights' transports: Kafka subscribers and HTTP routes (parse, call, answer)."""
