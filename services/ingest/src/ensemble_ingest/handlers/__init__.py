"""Transport: HTTP routes (parse, call one service method, answer)."""
