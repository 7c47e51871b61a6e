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
        # The apps decide whom to believe about the client's address (their trusted-proxies
        # settings); uvicorn would otherwise rewrite it from X-Forwarded-For first.
        proxy_headers=False,
        timeout_graceful_shutdown=10,
        # Idle connections outlive the proxy's and the clients' pools (Caddy keeps an idle
        # upstream connection 2 minutes, httpx 5 s): the side that closes first must be the
        # client, or a request sent as the server closes is lost ("Server disconnected").
        timeout_keep_alive=130,
    )


SERVICES = ("ingest", "feedback", "scheduler", "notify", "identity", "insights", "console")


def main() -> None:
    """`python -m ensemble_shared.serve` runs the service named by $SERVICE (container images)."""
    import os
    import sys

    service = os.environ.get("SERVICE", "")
    if service not in SERVICES:
        sys.exit(f"SERVICE must be one of {', '.join(SERVICES)}; got {service!r}")
    serve(f"ensemble_{service}.main:create_app")


if __name__ == "__main__":
    main()
