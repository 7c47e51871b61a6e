"""Ingest's domain errors (mapped to HTTP once, in ensemble_shared.web)."""

from __future__ import annotations

from ensemble_shared.errors import Conflict, NotFound, Unauthenticated


class SourceNotFound(NotFound):
    def __init__(self, source_id: str) -> None:
        super().__init__(f"no source {source_id!r}")


class MentionNotFound(NotFound):
    def __init__(self, mention_id: str) -> None:
        super().__init__(f"no mention {mention_id!r}")


class WebhookRefused(Unauthenticated):
    """The webhook's signature does not verify: forged, stale, replayed past the window."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"webhook signature refused: {reason}")


class RawNotFound(NotFound):
    def __init__(self, raw_id: str) -> None:
        super().__init__(f"no raw payload {raw_id!r}")


class RawAlreadySettled(Conflict):
    """Only a pending payload is re-driven: a settled one keeps its outcome (insert-once)."""

    def __init__(self, raw_id: str, status: str) -> None:
        super().__init__(f"raw payload {raw_id!r} is already {status}")


class ViewNotFound(NotFound):
    """Also what another person's view answers: a view is its owner's alone."""

    def __init__(self, view_id: str) -> None:
        super().__init__(f"no view {view_id!r}")


class ViewNameTaken(Conflict):
    def __init__(self, name: str) -> None:
        super().__init__(f"you already have a view named {name!r}")
