"""Run a service's app factory under uvicorn (`python -m ensemble_<service>`)."""

from __future__ import annotations

import uvicorn

from ensemble_shared.settings import ServerSettings


def serve(app_factory: str) -> None:
    """Logging is configured by the app itself (JSON), so uvicorn's own config is off."""
    server = ServerSettings()
    uvicorn.run(
        app_factory,
        factory=True,
        host=server.host,
        port=server.port,
        log_config=None,
        timeout_graceful_shutdown=10,
    )
