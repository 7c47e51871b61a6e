"""`ensemble-token`: the operator command that mints a bearer token."""

from __future__ import annotations

import argparse
from datetime import timedelta

from ensemble_shared.auth import Principal, Role, Tokens
from ensemble_shared.settings import AuthSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="ensemble-token",
        description="Mint a workspace-scoped token (needs ENSEMBLE_AUTH_SECRET).",
    )
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--subject", required=True, help="who the token is for, e.g. alice")
    parser.add_argument(
        "--role", action="append", default=[], choices=[r.value for r in Role], dest="roles"
    )
    parser.add_argument("--team", action="append", default=[], dest="teams")
    parser.add_argument("--hours", type=float, default=12.0, help="lifetime")
    args = parser.parse_args(argv)
    tokens = Tokens(AuthSettings())
    principal = Principal(
        subject=args.subject,
        workspace=args.workspace,
        roles=frozenset(Role(r) for r in args.roles),
        teams=frozenset(args.teams),
    )
    print(tokens.mint(principal, ttl=timedelta(hours=args.hours)))


if __name__ == "__main__":
    main()
