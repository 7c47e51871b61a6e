"""Scheduler's business rules: no FastAPI, no FastStream, no driver.

A method that changes something for a caller takes that caller's `Principal` first (who acts,
in which workspace); a read takes the `workspace` it reads. Collaborators come through
constructors (wiring.py builds each once); what a service needs from another without owning
it is a protocol in `ports`.
"""
