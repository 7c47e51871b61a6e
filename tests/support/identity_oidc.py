"""A real OpenID Connect provider for identity's tests: the npm package `oidc-provider`
(panva's certified implementation) run by Node, installed once into the shared cache (never
into the repository), plus a stand-in for the browser that signs in on its pages."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from ensemble_devtools import npm, processes

VERSION = "9.13.3"
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")


def installed() -> Path:
    """The package's folder in the cache, installed on first use (npm, from its registry)."""
    return npm.installed("oidc-provider", VERSION)


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str


@contextmanager
def oidc_provider(
    log_dir: Path, redirect_uri: str, accounts: dict[str, dict[str, Any]]
) -> Iterator[Provider]:
    folder = log_dir / "oidc-provider"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / SCRIPT.name
    shutil.copyfile(SCRIPT, script)
    (folder / "node_modules").symlink_to(installed() / "node_modules")  # Node looks beside it
    port = processes.free_port()
    provider = Provider(
        f"http://127.0.0.1:{port}", "ensemble-identity", "provider-secret-123", redirect_uri
    )
    managed = processes.start(
        "oidc-provider",
        ["node", str(script)],
        log_path=log_dir / "oidc-provider.log",
        env={
            **os.environ,
            "PORT": str(port),
            "CLIENT_ID": provider.client_id,
            "CLIENT_SECRET": provider.client_secret,
            "REDIRECT_URI": redirect_uri,
            "ACCOUNTS": json.dumps(accounts),
            "NODE_ENV": "development",
        },
    )
    try:
        processes.wait_until(
            lambda: _answers(f"{provider.issuer}/.well-known/openid-configuration"),
            timeout=60,
            what="oidc-provider",
        )
        yield provider
    finally:
        managed.stop()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


async def sign_in_at_provider(
    authorization_url: str, redirect_uri: str, login: str
) -> dict[str, str]:
    """What a browser does on the provider's pages: sign in as `login`, consent, and come
    back; returns the query the provider sends to the redirect URI (code, state)."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=30) as browser:
        url = authorization_url
        for _ in range(12):
            page = await browser.get(url)
            if page.is_redirect:
                url = urljoin(url, page.headers["location"])
                if url.startswith(redirect_uri):
                    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
                continue
            prompt = re.search(r'name="prompt" value="(\w+)"', page.text)
            assert prompt, page.text
            form = {"prompt": prompt.group(1), "login": login, "password": "any"}
            answered = await browser.post(url, data=form)
            assert answered.is_redirect, answered.text
            url = urljoin(url, answered.headers["location"])
    raise AssertionError("the provider never sent the browser back")
