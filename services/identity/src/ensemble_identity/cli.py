"""Operator commands: `python -m ensemble_identity.cli <command> ...`.

create-workspace --id acme --name "Acme" --admin-email ana@acme.test [--locale fr]
    prints the first admin's invitation link (also emailed)
create-api-key --workspace acme --name deploy --role manager
    prints a client id and secret for POST /oauth/token (shown once)
rotate-keys [--now]      a new signing key (signing after the publish-ahead delay, or now)
revoke-key KID           unpublish a compromised key at once (a new one takes over)
reencrypt-keys           rewrite private keys under the first IDENTITY_KEY_ENCRYPTION_KEY
new-encryption-key       print a fresh Fernet key for IDENTITY_KEY_ENCRYPTION_KEY
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cryptography.fernet import Fernet

from ensemble_identity.config import IdentitySettings
from ensemble_identity.main import build
from ensemble_identity.models.api_keys import ApiKeyCreate
from ensemble_identity.models.context import OPERATOR, OPERATOR_ORIGIN
from ensemble_identity.services.registry import Services
from ensemble_identity.storage import INDEXES
from ensemble_shared.errors import EnsembleError
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbox import Outbox
from ensemble_shared.runtime import open_infrastructure
from ensemble_shared.storage import ensure_indexes
from ensemble_shared.topics import ACCOUNTS


@asynccontextmanager
async def services(settings: IdentitySettings) -> AsyncIterator[Services]:
    """Identity's services on the store, without the web app. Kafka is not started: events a
    command stages stay in the outbox until a running identity's relay publishes them."""
    async with open_infrastructure(
        settings, service="identity-cli", verifies_tokens=False
    ) as infra:
        await ensure_indexes(infra.database, INDEXES)
        publisher = EventPublisher(infra.broker, infra.topics, [ACCOUNTS])
        built, mailer = build(settings, infra, Outbox(publisher, infra.topics, infra.database))
        await built.keyring.refresh()
        try:
            yield built
        finally:
            await mailer.drain()


async def run(args: argparse.Namespace) -> str:
    settings = IdentitySettings()  # from the environment
    async with services(settings) as identity:
        if args.command == "create-workspace":
            link = await identity.workspaces.create(
                args.id, args.name, args.locale, args.admin_email
            )
            return f"workspace {args.id!r} created; the first admin's invitation:\n{link}"
        if args.command == "create-api-key":
            body = ApiKeyCreate(name=args.name, roles=args.roles)
            key = await identity.api_keys.create(args.workspace, body, OPERATOR, OPERATOR_ORIGIN)
            return f"client_id={key.client_id}\nclient_secret={key.client_secret}"
        if args.command == "rotate-keys":
            signing = await identity.keyring.rotate_now(immediately=args.now)
            return f"key {signing.kid} ({signing.generation}) signs from {signing.signs_from}"
        if args.command == "revoke-key":
            revoked = await identity.keyring.revoke(args.kid)
            return f"key {args.kid} revoked" if revoked else f"no live key {args.kid}"
        if args.command == "reencrypt-keys":
            return f"{await identity.keyring.reencrypt()} keys re-encrypted"
    raise AssertionError(args.command)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="ensemble_identity.cli", description=__doc__.splitlines()[0]
    )
    commands = root.add_subparsers(dest="command", required=True)
    workspace = commands.add_parser("create-workspace", help="a workspace and its first admin")
    workspace.add_argument("--id", required=True, help="e.g. acme")
    workspace.add_argument("--name", required=True)
    workspace.add_argument("--admin-email", required=True)
    workspace.add_argument("--locale", choices=["en", "fr"], default="en")
    key = commands.add_parser("create-api-key", help="an API key (shown once)")
    key.add_argument("--workspace", required=True)
    key.add_argument("--name", required=True)
    key.add_argument(
        "--role",
        dest="roles",
        action="append",
        required=True,
        choices=["admin", "manager", "approver", "viewer"],
    )
    rotate = commands.add_parser("rotate-keys", help="a new signing key")
    rotate.add_argument("--now", action="store_true", help="sign with it at once")
    revoke = commands.add_parser("revoke-key", help="unpublish a signing key at once")
    revoke.add_argument("kid")
    commands.add_parser("reencrypt-keys", help="rewrite keys under the first encryption key")
    commands.add_parser("new-encryption-key", help="print a new Fernet key")
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if args.command == "new-encryption-key":
        print(Fernet.generate_key().decode())
        return
    try:
        print(asyncio.run(run(args)))
    except (EnsembleError, ValueError) as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
