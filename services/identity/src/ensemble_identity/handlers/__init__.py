"""Identity's HTTP API (transport only: parse, call one service method, answer)."""
