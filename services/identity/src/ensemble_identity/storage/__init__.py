"""Identity's repositories: every MongoDB call of the service lives in this package."""

from __future__ import annotations

from ensemble_identity.storage.accounts import ACCOUNTS, EMAILS, AccountRepository
from ensemble_identity.storage.api_keys import API_KEYS, ApiKeyRepository
from ensemble_identity.storage.audit import AUDIT, AuditRepository
from ensemble_identity.storage.emails import EMAIL_CLAIMS, EMAIL_QUEUE, EmailQueue
from ensemble_identity.storage.failures import FAILURES, FailureLog
from ensemble_identity.storage.invitations import INVITATIONS, InvitationRepository
from ensemble_identity.storage.keys import SIGNING_KEYS, KeyRepository
from ensemble_identity.storage.links import LINKS, LinkRepository
from ensemble_identity.storage.memberships import MEMBERSHIPS, MembershipRepository
from ensemble_identity.storage.oidc import OIDC_LINKS, OIDC_STATES, OidcRepository
from ensemble_identity.storage.sessions import SESSIONS, SessionRepository
from ensemble_identity.storage.spent import SPENT, SpentSecrets
from ensemble_identity.storage.workspaces import SETUP_CLAIMS, WORKSPACES, WorkspaceRepository
from ensemble_shared.outbox import INDEXES as OUTBOX_INDEXES
from ensemble_shared.storage import ASCENDING, DESCENDING, Index

INDEXES: dict[str, list[Index]] = {
    **OUTBOX_INDEXES,
    MEMBERSHIPS: [
        Index([("workspace", ASCENDING)], name="by_workspace"),
        Index([("account_id", ASCENDING)], name="by_account"),
    ],
    SESSIONS: [
        Index([("account_id", ASCENDING)], name="by_account"),
        Index([("expires_at", ASCENDING)], name="by_expiry"),
    ],
    INVITATIONS: [Index([("workspace", ASCENDING), ("created_at", DESCENDING)], name="by_ws")],
    FAILURES: [Index([("scope", ASCENDING), ("key", ASCENDING), ("at", ASCENDING)], name="by_key")],
    API_KEYS: [Index([("workspace", ASCENDING)], name="by_workspace")],
    AUDIT: [Index([("workspace", ASCENDING), ("at", DESCENDING)], name="by_workspace")],
    EMAIL_QUEUE: [Index([("next_at", ASCENDING)], name="by_due")],
}

__all__ = [
    "ACCOUNTS",
    "API_KEYS",
    "AUDIT",
    "EMAILS",
    "EMAIL_CLAIMS",
    "EMAIL_QUEUE",
    "FAILURES",
    "INDEXES",
    "INVITATIONS",
    "LINKS",
    "MEMBERSHIPS",
    "OIDC_LINKS",
    "OIDC_STATES",
    "SESSIONS",
    "SETUP_CLAIMS",
    "SIGNING_KEYS",
    "SPENT",
    "WORKSPACES",
    "AccountRepository",
    "ApiKeyRepository",
    "AuditRepository",
    "EmailQueue",
    "FailureLog",
    "InvitationRepository",
    "KeyRepository",
    "LinkRepository",
    "MembershipRepository",
    "OidcRepository",
    "SessionRepository",
    "SpentSecrets",
    "WorkspaceRepository",
]
