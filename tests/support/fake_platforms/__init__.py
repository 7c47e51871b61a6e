"""Local stand-ins for the platforms the pulled connectors read: real servers on 127.0.0.1.

Each serves payloads shaped as the platform documents them, from data the test seeds, and lets
the test add items between calls, refuse the next calls with 429, and read what was requested.
"""
