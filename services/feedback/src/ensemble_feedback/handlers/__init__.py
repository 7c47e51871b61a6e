"""Transport: HTTP routes and Kafka subscribers (parse, call one service method)."""
