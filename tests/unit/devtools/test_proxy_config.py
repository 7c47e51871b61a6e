"""The front door's Caddyfile, rendered from what runs (./dev up) and for compose."""

from __future__ import annotations

import re

from ensemble_devtools.paths import repo_root
from ensemble_devtools.proxy_config import (
    FrontDoor,
    Upstreams,
    compose_front_door,
    public_urls,
)


def local(**services: Upstreams) -> str:
    return FrontDoor(site="http://:8000", services=services, bind="127.0.0.1").render()


def block(caddyfile: str, opener: str) -> str:
    """The first block whose opening line is `opener` (indentation ignored), to its closing
    brace at the same indentation."""
    line = next(ln for ln in caddyfile.splitlines() if ln.strip() == opener.strip())
    indent = line[: len(line) - len(line.lstrip())]
    start = caddyfile.index(f"\n{line}\n") + 1
    end = caddyfile.index(f"\n{indent}}}", start)
    return caddyfile[start:end]


def test_every_replica_of_a_service_is_an_upstream_under_its_api_prefix() -> None:
    rendered = local(ingest=Upstreams.at("127.0.0.1:8001", "127.0.0.1:9001"))
    api = block(rendered, "handle_path /api/ingest/* {")
    assert "reverse_proxy 127.0.0.1:8001 127.0.0.1:9001 {" in api
    assert "health_uri /healthz" in api
    assert "redir /api/ingest /api/ingest/ 308" in rendered


def test_webhooks_reach_ingest_with_their_path_kept() -> None:
    rendered = local(ingest=Upstreams.at("127.0.0.1:8001"))
    webhooks = block(rendered, "handle /webhooks/* {")
    assert "reverse_proxy 127.0.0.1:8001 {" in webhooks
    assert "handle_path /webhooks" not in rendered


def test_a_service_that_does_not_run_gets_no_route() -> None:
    rendered = local(ingest=Upstreams.at("127.0.0.1:8001"))
    assert "/api/notify" not in rendered.split("<!doctype")[0]
    assert "/.well-known/jwks.json" not in rendered


def test_identity_and_console_routes_appear_once_they_run() -> None:
    rendered = local(
        identity=Upstreams.at("127.0.0.1:8005"), console=Upstreams.at("127.0.0.1:8006")
    )
    assert "reverse_proxy 127.0.0.1:8005 {" in block(rendered, "handle /.well-known/jwks.json {")
    assert "reverse_proxy 127.0.0.1:8006 {" in block(rendered, "handle /hooks/* {")
    catch_all = block(rendered, "handle {")
    assert "reverse_proxy 127.0.0.1:8006 {" in catch_all
    assert "respond <<HTML" not in catch_all


def test_without_a_console_the_root_is_a_placeholder_naming_the_apis() -> None:
    rendered = FrontDoor(
        site="http://:8000",
        services={"ingest": Upstreams.at("127.0.0.1:8001")},
        mail=Upstreams.at("127.0.0.1:8025"),
    ).render()
    page = block(rendered, "handle {")
    assert "respond <<HTML" in page
    assert 'href="/api/scheduler/docs"' in page
    assert 'href="/dev/mail/"' in page
    assert page.rstrip().endswith("HTML 200")


def test_unknown_apis_get_a_json_404_before_the_catch_all() -> None:
    rendered = local(ingest=Upstreams.at("127.0.0.1:8001"))
    unknown = block(rendered, "handle /api/* {")
    assert '"error": "not_found"' in unknown
    assert "404" in unknown


def test_the_request_id_is_set_when_missing_and_returned() -> None:
    rendered = local(ingest=Upstreams.at("127.0.0.1:8001"))
    assert "@no_request_id not header X-Request-Id *" in rendered
    assert "request_header @no_request_id X-Request-Id {http.request.uuid}" in rendered
    assert "header >X-Request-Id {http.request.header.X-Request-Id}" in rendered


def test_the_local_proxy_binds_loopback_only() -> None:
    assert "\tbind 127.0.0.1\n" in local(ingest=Upstreams.at("127.0.0.1:8001"))


def test_compose_finds_replicas_through_dns_without_active_health_checks() -> None:
    rendered = compose_front_door().render()
    notify = block(rendered, "handle_path /api/notify/* {")
    assert "dynamic a notify 8000 {" in notify
    assert "health_uri" not in notify  # Caddy does not run them for dynamic upstreams
    assert "lb_try_duration" in notify
    assert rendered.count("dynamic a identity 8000") == 2  # its API and the JWKS
    assert "dynamic a console 8000" in block(rendered, "handle {")
    assert re.search(r"^\{\$ENSEMBLE_SITE_ADDRESS::80\} \{$", rendered, re.MULTILINE)


def test_a_missing_upstream_shows_the_placeholder_to_people_and_json_to_programs() -> None:
    errors = block(compose_front_door().render(), "handle_errors 502 503 504 {")
    assert "@pages not path /api/* /webhooks/* /.well-known/* /dev/*" in errors
    assert "HTML {err.status_code}" in errors
    assert '"error": "unavailable"' in errors


def test_deploy_caddyfile_is_the_rendered_one() -> None:
    committed = (repo_root() / "deploy" / "Caddyfile").read_text()
    assert committed == compose_front_door().render(), "run ./dev caddyfile"


def test_public_urls_are_the_front_doors() -> None:
    assert public_urls("https://ensemble.example.org/") == {
        "ENSEMBLE_PUBLIC_URL": "https://ensemble.example.org",
        "SCHEDULER_PUBLIC_URL": "https://ensemble.example.org/api/scheduler",
        "NOTIFY_PUBLIC_URL": "https://ensemble.example.org/api/notify",
        "NOTIFY_FEEDBACK_PUBLIC_URL": "https://ensemble.example.org/api/feedback",
        "INSIGHTS_PUBLIC_URL": "https://ensemble.example.org/api/insights",
    }
