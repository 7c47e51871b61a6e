"""Outgoing channels: the adapters that actually reach a receiver."""
