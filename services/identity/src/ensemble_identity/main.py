"""Identity's composition root: `create_app()` wires settings, stores, keys, services, routes."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.metadata import version

from fastapi import FastAPI

from ensemble_identity.config import IdentitySettings
from ensemble_identity.email.smtp import SmtpConfig, SmtpSender
from ensemble_identity.email.templates import Messages
from ensemble_identity.handlers import errors, me, oauth, public, workspaces
from ensemble_identity.models.keys import Schedule
from ensemble_identity.oidc.client import ProviderClient
from ensemble_identity.services.accounts import AccountService
from ensemble_identity.services.api_keys import ApiKeys
from ensemble_identity.services.audit import Audit
from ensemble_identity.services.callers import Callers
from ensemble_identity.services.invitations import Invitations
from ensemble_identity.services.keyring import Keyring, cipher
from ensemble_identity.services.letters import Letters
from ensemble_identity.services.links import Links
from ensemble_identity.services.mailer import Mailer
from ensemble_identity.services.members import Members
from ensemble_identity.services.oidc import OidcSignIn
from ensemble_identity.services.passwords import Passwords
from ensemble_identity.services.people import People
from ensemble_identity.services.recovery import Recovery
from ensemble_identity.services.registry import Services
from ensemble_identity.services.sessions import Sessions
from ensemble_identity.services.signin import SignInService
from ensemble_identity.services.throttle import Throttle
from ensemble_identity.services.tokens import AccessTokens
from ensemble_identity.services.workspaces import Workspaces
from ensemble_identity.storage import (
    ACCOUNTS,
    API_KEYS,
    AUDIT,
    EMAIL_CLAIMS,
    EMAIL_QUEUE,
    EMAILS,
    FAILURES,
    INDEXES,
    INVITATIONS,
    LINKS,
    MEMBERSHIPS,
    OIDC_LINKS,
    OIDC_STATES,
    SESSIONS,
    SETUP_CLAIMS,
    SIGNING_KEYS,
    SPENT,
    WORKSPACES,
    AccountRepository,
    ApiKeyRepository,
    AuditRepository,
    EmailQueue,
    FailureLog,
    InvitationRepository,
    KeyRepository,
    LinkRepository,
    MembershipRepository,
    OidcRepository,
    SessionRepository,
    SpentSecrets,
    WorkspaceRepository,
)
from ensemble_shared.client_address import networks
from ensemble_shared.events import MemberErasedV1, new_id
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.runtime import Infrastructure, Loop, repeat
from ensemble_shared.topics import ACCOUNTS as ACCOUNTS_STREAM
from ensemble_shared.topics import MEMBERS as MEMBERS_STREAM
from ensemble_shared.web import create_service_app

PURGE_SECONDS = 300.0


def smtp_config(settings: IdentitySettings) -> SmtpConfig:
    return SmtpConfig(server=settings.smtp_server(), sender=settings.email_from)


def key_schedule(settings: IdentitySettings) -> Schedule:
    return Schedule(
        rotation=timedelta(days=settings.key_rotation_days),
        ahead=timedelta(seconds=settings.key_publish_ahead_seconds),
        token_lifetime=timedelta(seconds=settings.access_token_seconds),
    )


def build(
    settings: IdentitySettings, infra: Infrastructure, outbox: Outbox
) -> tuple[Services, Mailer]:
    """Every service of one process, on the store `infra` opened."""
    db = infra.database
    fernet = cipher(settings.key_encryption_key.get_secret_value())
    audit = Audit(AuditRepository(db[AUDIT]))
    people = People(
        AccountRepository(db[ACCOUNTS], db[EMAILS], outbox),
        MembershipRepository(db[MEMBERSHIPS], outbox),
        audit,
    )
    workspace_repo = WorkspaceRepository(db[WORKSPACES], db[SETUP_CLAIMS])
    spent = SpentSecrets(db[SPENT])
    links = Links(LinkRepository(db[LINKS]), spent, settings.public_url)
    mailer = Mailer(
        EmailQueue(db[EMAIL_QUEUE], db[EMAIL_CLAIMS]),
        SmtpSender(smtp_config(settings)),
        fernet,
        owner=f"{socket.gethostname()}:{new_id()}",
        max_attempts=settings.email_max_attempts,
        retry_seconds=settings.email_retry_seconds,
    )
    letters = Letters(links, Messages(), mailer)
    passwords = Passwords(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
        min_length=settings.password_min_length,
    )
    keyring = Keyring(KeyRepository(db[SIGNING_KEYS]), fernet, key_schedule(settings))
    tokens = AccessTokens(
        keyring,
        issuer=settings.issuer,
        audience=settings.audience,
        lifetime=timedelta(seconds=settings.access_token_seconds),
    )
    sessions = Sessions(
        SessionRepository(db[SESSIONS]),
        people,
        workspace_repo,
        tokens,
        lifetime=timedelta(hours=settings.session_hours),
        idle=timedelta(hours=settings.session_idle_hours),
    )
    throttle = Throttle(
        FailureLog(db[FAILURES]),
        signin_rates=settings.rate_limit_signin,
        email_rates=settings.rate_limit_email,
        storage_uri=settings.rate_limit_storage,
        account_failures=settings.lockout_account_failures,
        address_failures=settings.lockout_address_failures,
        window=timedelta(seconds=settings.lockout_window_seconds),
    )
    verification_ttl = timedelta(days=settings.verification_days)
    invitations = Invitations(
        InvitationRepository(db[INVITATIONS]),
        workspace_repo,
        people,
        passwords,
        sessions,
        links,
        letters,
        audit,
        ttl=timedelta(days=settings.invitation_days),
    )
    redirect_uri = settings.public_url.rstrip("/") + settings.oidc_redirect_path
    services = Services(
        keyring=keyring,
        jwks_max_age=settings.jwks_max_age_seconds,
        trusted_proxies=networks(settings.trusted_proxies),
        callers=Callers(sessions, tokens, people),
        sessions=sessions,
        links=links,
        signin=SignInService(people, passwords, sessions, throttle),
        accounts=AccountService(
            people, passwords, sessions, links, letters, audit, verification_ttl=verification_ttl
        ),
        recovery=Recovery(
            people,
            workspace_repo,
            passwords,
            sessions,
            links,
            letters,
            throttle,
            audit,
            reset_ttl=timedelta(minutes=settings.reset_minutes),
            magic_ttl=timedelta(minutes=settings.magic_link_minutes),
        ),
        workspaces=Workspaces(
            workspace_repo,
            people,
            passwords,
            sessions,
            invitations,
            letters,
            audit,
            setup_token=settings.setup_token.get_secret_value() if settings.setup_token else None,
            verification_ttl=verification_ttl,
        ),
        invitations=invitations,
        members=Members(people),
        api_keys=ApiKeys(ApiKeyRepository(db[API_KEYS]), people, tokens, throttle, audit),
        audit=audit,
        oidc=OidcSignIn(
            [ProviderClient(p, redirect_uri) for p in settings.oidc_providers],
            OidcRepository(db[OIDC_STATES], db[OIDC_LINKS]),
            spent,
            people,
            sessions,
            audit,
            state_ttl=timedelta(minutes=settings.oidc_state_minutes),
        ),
    )
    return services, mailer


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()  # from the environment

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        publisher = EventPublisher(infra.broker, infra.topics, [ACCOUNTS_STREAM])
        outbox = Outbox(publisher, infra.topics, infra.database)
        services, mailer = build(settings, infra, outbox)
        app.state.services = services
        infra.subscribe(
            [
                (
                    "identity-members",
                    MEMBERS_STREAM,
                    services.members.erased,
                    [MemberErasedV1],
                    "A member who erased their data in feedback loses their member place.",
                )
            ]
        )
        await services.keyring.refresh()  # the first replica to start creates the first key

        longest_link = max(
            timedelta(days=settings.invitation_days),
            timedelta(days=settings.verification_days),
            timedelta(minutes=settings.reset_minutes),
            timedelta(minutes=settings.magic_link_minutes),
        )

        async def keys() -> None:
            await services.keyring.run(settings.keyring_refresh_seconds)

        async def emails() -> None:
            await mailer.run(settings.email_retry_seconds)

        async def purges() -> None:
            async def purge() -> None:
                await services.sessions.purge()
                await services.signin.purge()
                await services.oidc.purge()
                await services.links.purge(longest_ttl=longest_link)

            await repeat(purge, every=PURGE_SECONDS, what="identity purge")

        try:
            yield [OutboxRelay.from_settings(outbox, publisher, settings).run, keys, emails, purges]
        finally:
            await mailer.drain()

    app = create_service_app(
        service="identity",
        version=version("ensemble-identity"),
        description="Workspaces, accounts, sign-in, roles and teams, API keys, and the keys "
        "that sign every access token (JWKS).",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=[public.router, me.router, workspaces.router, oauth.router],
        verifies_tokens=False,  # it verifies its own tokens with its keyring
    )
    errors.install(app)
    return app
