"""Identity's settings (env prefix IDENTITY_, plus ENSEMBLE_PUBLIC_URL)."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ensemble_shared.settings import ServiceSettings
from ensemble_shared.smtp import SmtpFields


class OidcProviderSettings(BaseModel):
    """One OpenID Connect provider people may sign in with (Google, Entra ID, Keycloak, ...)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$", description="Used in URLs.")
    title: str = Field(description="Shown on the sign-in button, e.g. 'Google'.")
    issuer: str = Field(description="Discovery at <issuer>/.well-known/openid-configuration.")
    client_id: str
    client_secret: SecretStr
    scopes: str = Field(default="openid email profile", description="Space-separated.")
    link_by_email: bool = Field(
        default=True,
        description="Sign an existing account in when the provider vouches (email_verified) "
        "for its address; off: only identities linked before are accepted.",
    )


class IdentitySettings(ServiceSettings, SmtpFields):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", populate_by_name=True)

    database: str = Field(default="ensemble_identity", description="Identity's own database.")
    public_url: str = Field(
        default="http://127.0.0.1:8080",
        validation_alias=AliasChoices("ENSEMBLE_PUBLIC_URL", "public_url"),
        description="ENSEMBLE_PUBLIC_URL: where people open the console; every link in "
        "identity's emails is built on it (/invitations/<token>, /reset/<token>, ...).",
    )

    # --- tokens and keys ---
    issuer: str = Field(default="ensemble/identity", description="`iss` of access tokens.")
    audience: str = Field(default="ensemble", description="`aud` of access tokens.")
    access_token_seconds: int = Field(
        default=600, ge=30, le=86_400, description="Lifetime of every access token."
    )
    key_encryption_key: SecretStr = Field(
        description="Fernet key(s) encrypting the private signing keys at rest, comma-separated: "
        "the first encrypts, all decrypt (rotate by prepending a new one, then run "
        "`python -m ensemble_identity.cli reencrypt-keys`, then drop the old one)."
    )
    key_rotation_days: float = Field(
        default=30.0, gt=0, description="A new signing key takes over after this long."
    )
    key_publish_ahead_seconds: int = Field(
        default=600,
        ge=0,
        description="A new key is published this long before it signs, so verifiers that "
        "cache the JWKS already hold it.",
    )
    jwks_max_age_seconds: int = Field(
        default=300, ge=0, description="Cache-Control max-age of the JWKS document."
    )
    keyring_refresh_seconds: float = Field(
        default=30.0, gt=0, description="How often a replica rereads the keys and rotates."
    )

    # --- sessions and sign-in protection ---
    session_hours: float = Field(
        default=720.0, gt=0, description="A session ends this long after sign-in at the latest."
    )
    session_idle_hours: float = Field(
        default=168.0, gt=0, description="A session unused for this long ends."
    )
    lockout_account_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins for one email that lock it for a while."
    )
    lockout_address_failures: int = Field(
        default=20, ge=1, description="Failed sign-ins from one address that lock the address."
    )
    lockout_window_seconds: int = Field(
        default=900, ge=1, description="Failures older than this stop counting."
    )
    rate_limit_signin: str = Field(
        default="20/minute;200/hour",
        description="Sign-in and token requests per client address (`limits` notation).",
    )
    rate_limit_email: str = Field(
        default="5/hour;20/day",
        description="Emails (magic links, resets) requested per recipient address.",
    )
    rate_limit_storage: str = Field(
        default="async+memory://",
        description="`limits` async storage URI; memory counts per replica (lockouts are "
        "stored and shared by every replica).",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy addresses or networks (the console) whose X-Forwarded-For is "
        "believed (JSON list).",
    )

    # --- passwords ---
    password_min_length: int = Field(default=12, ge=8, description="Shortest password accepted.")
    argon2_time_cost: int = Field(default=2, ge=1, description="Argon2id passes.")
    argon2_memory_kib: int = Field(default=19_456, ge=8_192, description="Argon2id memory.")
    argon2_parallelism: int = Field(default=1, ge=1, description="Argon2id lanes.")

    # --- links sent by email ---
    invitation_days: float = Field(default=7.0, gt=0, description="Invitations expire after.")
    reset_minutes: float = Field(default=60.0, gt=0, description="Reset links expire after.")
    magic_link_minutes: float = Field(default=15.0, gt=0, description="Magic links expire after.")
    verification_days: float = Field(
        default=7.0, gt=0, description="Email verification links expire after."
    )
    setup_token: SecretStr | None = Field(
        default=None,
        description="When set, POST /setup also needs this value (X-Setup-Token header), so "
        "whoever reaches a fresh deployment first cannot take it.",
    )

    # --- email ---
    # the SMTP_* fields come from SmtpFields; account emails give up sooner than notify
    smtp_timeout_seconds: float = Field(default=15.0, gt=0, description="Per SMTP attempt.")
    email_from: str = Field(
        default="Ensemble <accounts@ensemble.invalid>", description="From header."
    )
    email_max_attempts: int = Field(default=6, ge=1, description="Tries per email.")
    email_retry_seconds: float = Field(
        default=10.0, gt=0, description="First retry delay of an email; doubles per try."
    )

    # --- OpenID Connect ---
    oidc_providers: list[OidcProviderSettings] = Field(
        default_factory=list, description="JSON list of providers (see OidcProviderSettings)."
    )
    oidc_redirect_path: str = Field(
        default="/sign-in/oidc/callback",
        description="Console page the providers send people back to (joined to the public "
        "URL; register it at the provider).",
    )
    oidc_state_minutes: float = Field(
        default=10.0, gt=0, description="How long a started OIDC sign-in may take."
    )
