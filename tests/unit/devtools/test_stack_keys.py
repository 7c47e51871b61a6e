"""What the dev stack gives each service process: its own secret key (and no other's), the
identity to fetch token keys from, and the pinned JWKS of a test issuer when there is one."""

from __future__ import annotations

import json
from pathlib import Path

from ensemble_devtools.infra import Infra, Mode
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.stack import SECRET_KEYS, SERVICES, Stack

PORTS = {name: 9000 + n for n, name in enumerate(SERVICES)}


def stack(tmp_path: Path, pinned_jwks: str | None = None) -> Stack:
    infra = Infra(Mode.GIVEN, "127.0.0.1:9092", "mongodb://127.0.0.1:27017", "mongodb")
    return Stack(infra=infra, log_dir=tmp_path, secret="r" * 40, pinned_jwks=pinned_jwks)


def test_each_service_gets_its_own_key_and_no_shared_token_secret(tmp_path: Path) -> None:
    keys = {}
    for name in SERVICES:
        env = stack(tmp_path).environment(name, 8000)
        assert "ENSEMBLE_AUTH_SECRET" not in env
        held = {k: v for k, v in env.items() if k.endswith("_SECRET_KEY")}
        assert set(held) == ({f"{name.upper()}_SECRET_KEY"} if name in SECRET_KEYS else set())
        keys.update(held)
    assert len(set(keys.values())) == len(SECRET_KEYS) == 5
    again = stack(tmp_path).environment("notify", 8000)["NOTIFY_SECRET_KEY"]
    assert again == keys["NOTIFY_SECRET_KEY"]  # stable per checkout: links sent still verify


def test_every_service_fetches_keys_from_the_identity_the_stack_runs(tmp_path: Path) -> None:
    links = stack(tmp_path)._links(PORTS)
    assert links["ENSEMBLE_AUTH_JWKS_URL"] == (
        f"http://127.0.0.1:{PORTS['identity']}/.well-known/jwks.json"
    )


def test_a_pinned_issuer_is_trusted_too(tmp_path: Path) -> None:
    issuer = LocalIssuer()
    env = stack(tmp_path, pinned_jwks=issuer.jwks_json()).environment("ingest", 8000)
    assert json.loads(env["ENSEMBLE_AUTH_JWKS"]) == issuer.jwks()
    assert "ENSEMBLE_AUTH_JWKS_URL" not in env  # no identity started in this stack
