"""The services one identity process runs, built once by `main` and handed to the routes."""

from __future__ import annotations

from dataclasses import dataclass

from ensemble_identity.services.accounts import AccountService
from ensemble_identity.services.api_keys import ApiKeys
from ensemble_identity.services.audit import Audit
from ensemble_identity.services.callers import Callers
from ensemble_identity.services.invitations import Invitations
from ensemble_identity.services.keyring import Keyring
from ensemble_identity.services.links import Links
from ensemble_identity.services.members import Members
from ensemble_identity.services.oidc import OidcSignIn
from ensemble_identity.services.recovery import Recovery
from ensemble_identity.services.sessions import Sessions
from ensemble_identity.services.signin import SignInService
from ensemble_identity.services.workspaces import Workspaces
from ensemble_shared.client_address import Network


@dataclass(frozen=True)
class Services:
    keyring: Keyring
    jwks_max_age: int
    trusted_proxies: list[Network]
    callers: Callers
    sessions: Sessions
    links: Links
    signin: SignInService
    accounts: AccountService
    recovery: Recovery
    workspaces: Workspaces
    invitations: Invitations
    members: Members
    api_keys: ApiKeys
    audit: Audit
    oidc: OidcSignIn
