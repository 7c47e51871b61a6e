"""`./dev token`: an access token from the running identity, as an operator's script gets one.

Identity alone signs tokens. The first time a workspace and set of roles is asked for, the
operator commands of identity (`python -m ensemble_identity.cli`, with the environment `./dev up`
gave identity) create the workspace if it is missing (its first admin is invited at
`admin@<workspace>.example`; the email lands in the mail catcher) and an API key holding those
roles. The key is kept in this checkout's state (mode 600) and exchanged at identity's
`POST /oauth/token` (client credentials) for a short-lived access token each time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

STAFF_ROLES = ("admin", "manager", "approver", "viewer")


class TokenError(Exception):
    """Why no token could be had (shown to the operator)."""


def save_identity_env(path: Path, env: Mapping[str, str]) -> None:
    """What `./dev up` started identity with, so operator commands reach the same store."""
    path.write_text(json.dumps(dict(env)))
    path.chmod(0o600)


def _operator(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ensemble_identity.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _create_key(env: Mapping[str, str], workspace: str, roles: Sequence[str]) -> dict[str, str]:
    created = _operator(
        env,
        "create-workspace",
        "--id",
        workspace,
        "--name",
        workspace,
        "--admin-email",
        f"admin@{workspace}.example",
    )
    if created.returncode != 0 and "already exists" not in created.stderr:
        raise TokenError(f"identity could not create workspace {workspace!r}: {created.stderr}")
    role_args = [arg for role in roles for arg in ("--role", role)]
    made = _operator(
        env, "create-api-key", "--workspace", workspace, "--name", "./dev token", *role_args
    )
    if made.returncode != 0:
        raise TokenError(f"identity could not create an API key: {made.stderr.strip()}")
    fields = dict(line.split("=", 1) for line in made.stdout.splitlines() if "=" in line)
    return {"client_id": fields["client_id"], "client_secret": fields["client_secret"]}


def _exchange(identity_url: str, key: Mapping[str, str]) -> httpx.Response:
    return httpx.post(
        f"{identity_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(key["client_id"], key["client_secret"]),
        timeout=30,
    )


def access_token(
    identity_url: str, env: Mapping[str, str], keys_path: Path, workspace: str, roles: Sequence[str]
) -> str:
    """An access token for `workspace` holding `roles`, signed by the identity at
    `identity_url`; an API key is created the first time (or again if it was revoked)."""
    unknown = sorted(set(roles) - set(STAFF_ROLES))
    if unknown:
        raise TokenError(f"unknown roles {unknown}: identity gives {', '.join(STAFF_ROLES)}")
    wanted = f"{workspace}:{','.join(sorted(set(roles)))}"
    keys: dict[str, dict[str, str]] = (
        json.loads(keys_path.read_text()) if keys_path.exists() else {}
    )
    try:
        key = keys.get(wanted)
        answer = _exchange(identity_url, key) if key else None
        if answer is None or answer.status_code in (400, 401):  # none yet, or revoked
            keys[wanted] = key = _create_key(env, workspace, sorted(set(roles)))
            keys_path.write_text(json.dumps(keys))
            keys_path.chmod(0o600)
            answer = _exchange(identity_url, key)
    except httpx.HTTPError as exc:
        raise TokenError(f"identity does not answer at {identity_url}: {exc!r}") from exc
    if answer.status_code != 200:
        raise TokenError(f"identity refused the API key: {answer.status_code} {answer.text}")
    token: str = answer.json()["access_token"]
    return token
