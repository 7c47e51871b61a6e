"""The front door's routes, rendered as one Caddyfile: for `./dev up` from the processes that run,
and for compose (deploy/Caddyfile) from the service names Docker's DNS resolves.

One origin: `/api/<service>/…` reaches that service with the prefix stripped (each service
serves its API, /docs and /openapi.json under that root path), `/webhooks/…` reaches ingest with
the path kept, identity also answers `/.well-known/jwks.json`, and the web console answers `/`
and `/hooks/…`. Until a console runs, `/` is a placeholder page naming the APIs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from ensemble_shared.settings import api_root_path

CONSOLE = "console"
MAIL_PATH = "/dev/mail"
# Services that answer paths at the origin's root (path kept), besides /api/<service>/.
ROOT_PATHS: Mapping[str, tuple[str, ...]] = {
    "ingest": ("/webhooks/*",),
    "identity": ("/.well-known/jwks.json",),
    CONSOLE: ("/hooks/*",),
}
# Every service the compose file may run, in the order their routes are written.
KNOWN_SERVICES = ("ingest", "feedback", "scheduler", "notify", "identity", "insights", CONSOLE)
_TAB = "\t"


def public_urls(base: str) -> dict[str, str]:
    """The services' public-URL settings for a front door at `base`: links in emails, chat
    buttons and feeds must open through the proxy, never on a service's own port."""
    base = base.rstrip("/")
    return {
        "ENSEMBLE_PUBLIC_URL": base,
        "SCHEDULER_PUBLIC_URL": f"{base}{api_root_path('scheduler')}",
        "NOTIFY_PUBLIC_URL": f"{base}{api_root_path('notify')}",
        "NOTIFY_FEEDBACK_PUBLIC_URL": f"{base}{api_root_path('feedback')}",
        "INSIGHTS_PUBLIC_URL": f"{base}{api_root_path('insights')}",
    }


@dataclass(frozen=True)
class Upstreams:
    """Where one service's replicas answer: fixed addresses (local processes, health-checked
    actively), or a DNS name resolving to every replica (compose: Docker's DNS answers with the
    running containers of a scaled service; Caddy does not health-check dynamic upstreams, so a
    failed connection is retried on another replica instead)."""

    addresses: tuple[str, ...] = ()
    dns_name: str | None = None
    port: int = 8000

    @classmethod
    def at(cls, *addresses: str) -> Upstreams:
        return cls(addresses=tuple(addresses))

    @classmethod
    def dns(cls, name: str, port: int = 8000) -> Upstreams:
        return cls(dns_name=name, port=port)

    def reverse_proxy(self, *, health_uri: str | None) -> list[str]:
        """A `reverse_proxy` block balancing over the replicas."""
        if self.dns_name is not None:
            head = ["reverse_proxy {", f"{_TAB}dynamic a {self.dns_name} {self.port} {{"]
            head += [f"{_TAB}{_TAB}refresh 5s", f"{_TAB}{_TAB}versions ipv4", f"{_TAB}}}"]
        else:
            head = [f"reverse_proxy {' '.join(self.addresses)} {{"]
        body = [
            "lb_policy round_robin",
            # A replica that refuses the connection (restarting, killed) is skipped: the request
            # goes to another one. Caddy retries only requests it could not deliver at all.
            "lb_try_duration 10s",
            "lb_try_interval 250ms",
            "fail_duration 10s",
        ]
        if health_uri is not None and self.dns_name is None:
            body += [f"health_uri {health_uri}", "health_interval 2s", "health_timeout 2s"]
        return [*head, *(f"{_TAB}{line}" for line in body), "}"]


@dataclass(frozen=True)
class FrontDoor:
    """What the proxy serves: a site address, and the upstreams of each service that runs."""

    site: str
    services: Mapping[str, Upstreams]
    mail: Upstreams | None = None
    bind: str | None = None
    global_options: Sequence[str] = ()
    header: str = ""
    # Liveness, not readiness: a service that cannot reach Kafka still takes webhooks into its
    # outbox, so the proxy keeps sending to it.
    health_uri: str | None = "/healthz"
    apis: Sequence[str] = field(default=KNOWN_SERVICES[:4])

    def render(self) -> str:
        lines = [f"# {line}".rstrip() for line in self.header.splitlines()]
        lines += [""] if lines else []
        if self.global_options:
            lines += ["{", *(f"{_TAB}{option}" for option in self.global_options), "}", ""]
        lines += [f"{self.site} {{", *_indent(self._site_body()), "}"]
        return "\n".join(lines) + "\n"

    def _site_body(self) -> list[str]:
        body = [
            "# One id per request (a caller's own X-Request-Id is kept): the services log it as",
            "# their correlation id, and it comes back in the response (deferred: set once known).",
            "@no_request_id not header X-Request-Id *",
            "request_header @no_request_id X-Request-Id {http.request.uuid}",
            "header >X-Request-Id {http.request.header.X-Request-Id}",
            "log",
        ]
        if self.bind is not None:
            body.insert(0, f"bind {self.bind}")
        for service in KNOWN_SERVICES:
            upstreams = self.services.get(service)
            if upstreams is None:
                continue
            proxy = upstreams.reverse_proxy(health_uri=self.health_uri)
            if service != CONSOLE:
                prefix = api_root_path(service)
                body += ["", f"redir {prefix} {prefix}/ 308"]
                body += [f"handle_path {prefix}/* {{", *_indent(proxy), "}"]
            for path in ROOT_PATHS.get(service, ()):
                body += [f"handle {path} {{", *_indent(proxy), "}"]
        if self.mail is not None:
            proxy = self.mail.reverse_proxy(health_uri=None)
            body += [
                "",
                "# Development only: the mail catcher's web UI (it serves under this path).",
            ]
            body += [f"redir {MAIL_PATH} {MAIL_PATH}/ 308"]
            body += [f"handle {MAIL_PATH}/* {{", *_indent(proxy), "}"]
        body += ["", "handle /api/* {", *_indent(_json(404, "not_found", "no such API")), "}"]
        console = self.services.get(CONSOLE)
        if console is not None:
            proxy = console.reverse_proxy(health_uri=self.health_uri)
            body += ["handle {", *_indent(proxy), "}"]
        else:
            body += ["handle {", *_indent(self._placeholder(200)), "}"]
        return [*body, "", *self._errors()]

    def _errors(self) -> list[str]:
        """No replica answered: a page for people, JSON for programs."""
        unavailable = _json(
            "{err.status_code}", "unavailable", "no replica of this service answers; retry later"
        )
        pages = "not path /api/* /webhooks/* /.well-known/* /dev/*"
        return [
            "handle_errors 502 503 504 {",
            *_indent([f"@pages {pages}", "handle @pages {"]),
            *_indent(self._placeholder("{err.status_code}"), 2),
            *_indent(["}", "handle {"]),
            *_indent(unavailable, 2),
            *_indent(["}"]),
            "}",
        ]

    def _placeholder(self, status: int | str) -> list[str]:
        links = "".join(
            f'<li><a href="{escape(api_root_path(s))}/docs">{escape(s)}</a></li>' for s in self.apis
        )
        mail = (
            f'<p>Emails sent in development: <a href="{MAIL_PATH}/">{MAIL_PATH}/</a></p>'
            if self.mail is not None
            else ""
        )
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Ensemble</title></head><body><h1>Ensemble</h1>"
            "<p>The web console is not running here (not installed yet, or starting).</p>"
            f"<p>The APIs and their documentation:</p><ul>{links}</ul>{mail}</body></html>"
        )
        return [
            'header Content-Type "text/html; charset=utf-8"',
            "respond <<HTML",
            f"{_TAB}{page}",
            f"{_TAB}HTML {status}",
        ]


def _json(status: int | str, error: str, message: str) -> list[str]:
    return [
        "header Content-Type application/json",
        f'respond `{{"error": "{error}", "message": "{message}"}}` {status}',
    ]


def _indent(lines: Sequence[str], depth: int = 1) -> list[str]:
    return [f"{_TAB * depth}{line}" if line else "" for line in lines]


COMPOSE_HEADER = """Ensemble's front door under docker compose (mounted at /etc/caddy/Caddyfile).
Generated by `./dev caddyfile` from devtools/src/ensemble_devtools/proxy_config.py: change the
code and regenerate (a unit test checks this copy is current).

Each service's replicas are found through Docker's DNS (`--scale` works without a reload).
ENSEMBLE_SITE_ADDRESS is ":80" by default (plain HTTP behind the loopback port); set it to a
domain name to get automatic HTTPS from Let's Encrypt (see the README)."""


def compose_front_door() -> FrontDoor:
    """The compose file's proxy: every known service by its compose name, port 8000."""
    return FrontDoor(
        site="{$ENSEMBLE_SITE_ADDRESS::80}",
        services={service: Upstreams.dns(service) for service in KNOWN_SERVICES},
        mail=Upstreams.at("mailpit:8025"),
        header=COMPOSE_HEADER,
    )
