"""Settings read from the environment, one class per concern (pydantic-settings)."""

from __future__ import annotations

from typing import Any, Literal

from limits import parse_many
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """How to reach Kafka and how to produce and consume (env prefix KAFKA_)."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Comma-separated host:port list."
    )
    topic_prefix: str = Field(default="ensemble.", description="Prefix of every topic name.")
    replication_factor: int = Field(default=1, ge=1, description="For topics created at start.")
    linger_ms: int = Field(default=5, ge=0, description="Producer batching delay.")
    max_batch_size: int = Field(default=262_144, ge=16_384, description="Producer batch bytes.")
    compression_type: Literal["gzip", "snappy", "lz4", "zstd"] | None = Field(
        default=None, description="Producer compression; None sends uncompressed."
    )
    max_records: int = Field(default=500, ge=1, description="Records per consumed batch.")
    retry_attempts: int = Field(
        default=3, ge=1, description="Tries of a failing event before it is dead-lettered."
    )
    retry_backoff_seconds: float = Field(
        default=0.2, gt=0, description="First retry delay; doubles per try."
    )


class MongoSettings(BaseSettings):
    """How to reach the MongoDB-wire store (env prefix MONGODB_).

    Every call to the store is bounded: waiting for a pooled connection, finding the server,
    connecting, then each answer. A frozen or stalled store fails a call after at most
    `call_bound_seconds`, so a writer never hangs on (see `ServiceSettings` for why that
    matters). There is no whole-operation `timeoutMS`: the driver then sends `maxTimeMS`, which
    FerretDB 1.24 refuses on `distinct` (FailedToParse).
    """

    model_config = SettingsConfigDict(env_prefix="MONGODB_", extra="ignore")

    url: str = Field(default="mongodb://127.0.0.1:27017", description="MongoDB connection URL.")
    timeout_ms: int = Field(
        default=5_000, ge=100, description="Server selection timeout: no reachable store."
    )
    connect_timeout_ms: int = Field(
        default=5_000, ge=100, description="Opening one connection to the store."
    )
    socket_timeout_ms: int = Field(
        default=30_000,
        ge=100,
        description="An answer not received within this fails the call (a frozen store).",
    )
    wait_queue_timeout_ms: int = Field(
        default=10_000, ge=100, description="Waiting for a free connection in the pool."
    )

    @property
    def call_bound_seconds(self) -> float:
        """The longest one call can take before it fails: a wait for a connection, then two
        tries (the driver retries a read or write once), each finding the server, connecting
        and waiting for the answer."""
        one_try = self.timeout_ms + self.connect_timeout_ms + self.socket_timeout_ms
        return (self.wait_queue_timeout_ms + 2 * one_try) / 1000


class AuthSettings(BaseSettings):
    """Where the public keys of identity's access tokens come from (env prefix ENSEMBLE_AUTH_).

    Services only verify: identity alone signs. Set `jwks_url`, or `jwks` (a static document),
    or both (then keys from either are trusted)."""

    model_config = SettingsConfigDict(env_prefix="ENSEMBLE_AUTH_", extra="ignore")

    jwks_url: str | None = Field(
        default=None,
        description="Identity's JWKS, e.g. http://identity:8000/.well-known/jwks.json: "
        "fetched, cached, fetched again when a token names a key not seen yet.",
    )
    jwks: dict[str, Any] | None = Field(
        default=None,
        description="A JWKS document (JSON) trusted as it is: tests, air-gapped deployments.",
    )
    issuer: str = Field(default="ensemble/identity", description="`iss` identity signs with.")
    audience: str = Field(default="ensemble", description="`aud` identity signs with.")
    jwks_max_age_seconds: float = Field(
        default=300.0, gt=0, description="How long fetched keys are used before a refetch."
    )
    jwks_min_refetch_seconds: float = Field(
        default=30.0, ge=0, description="Fetches at most this often (unknown keys, failures)."
    )

    @property
    def configured(self) -> bool:
        return self.jwks_url is not None or self.jwks is not None


def api_root_path(service: str) -> str:
    """Where the front door serves a service's HTTP API: /api/<service>/ on the one origin."""
    return f"/api/{service}"


class HttpSettings(BaseSettings):
    """Limits applied to every HTTP API, and where it is served (env prefix ENSEMBLE_HTTP_)."""

    model_config = SettingsConfigDict(env_prefix="ENSEMBLE_HTTP_", extra="ignore")

    max_body_bytes: int = Field(default=1_048_576, ge=1_024, description="Larger bodies get 413.")
    read_rate_limit: str = Field(
        default="100/second;3000/minute",
        description="Authenticated reads (GET) one person may make, per replica (the `limits` "
        "notation, `;` between windows); beyond it 429 with Retry-After. Blank: no limit.",
    )
    root_path: str | None = Field(
        default=None,
        pattern=r"^(/[A-Za-z0-9._~-]+)*$",
        description="Path prefix the proxy serves this API under, stripped before it arrives "
        "(/docs and /openapi.json link through it); default /api/<service>, '' for none.",
    )

    @field_validator("read_rate_limit")
    @classmethod
    def _readable_limits(cls, value: str) -> str:
        if value.strip():
            parse_many(value)  # a ValueError names what it cannot read
        return value

    def root_path_of(self, service: str) -> str:
        return api_root_path(service) if self.root_path is None else self.root_path


class OutboundSettings(BaseSettings):
    """Requests to URLs from outside (`ensemble_shared.outbound`)."""

    model_config = SettingsConfigDict(env_prefix="ENSEMBLE_", extra="ignore")

    allow_private_urls: bool = Field(
        default=False,
        description="Let outgoing requests reach loopback and private addresses (local "
        "development and tests only; metadata addresses stay refused).",
    )
    max_response_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="Largest response body read from a URL."
    )


class ServiceSettings(BaseSettings):
    """What every service needs; each service subclasses it with its own env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    database: str = Field(description="This service's own MongoDB database.")
    log_level: str = Field(default="INFO", description="Python logging level name.")
    outbox_grace_seconds: float = Field(
        default=5.0, gt=0, description="Age at which the relay takes over unpublished events."
    )
    outbox_interval_seconds: float = Field(default=2.0, gt=0, description="Relay sweep period.")
    outbox_orphan_grace_seconds: float = Field(
        default=600.0,
        gt=0,
        description="Age at which the relay drops a pointer whose document never got its event "
        "(the write failed); must exceed the store's call bound.",
    )
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    outbound: OutboundSettings = Field(default_factory=OutboundSettings)

    @model_validator(mode="after")
    def _writers_fail_before_their_pointers_are_dropped(self) -> ServiceSettings:
        """An outbox write is two store calls: the pointer (stamped just before), then the
        document carrying the event. The relay drops a pointer whose document lacks the event
        once it is older than the orphan grace. Could those calls outlast the grace, a stalled
        writer would land its event after its pointer was dropped, and the event would never
        be published. So both calls must have failed or succeeded within the grace."""
        if self.mongo.call_bound_seconds * 2 > self.outbox_orphan_grace_seconds:
            raise ValueError(
                f"store calls may take {self.mongo.call_bound_seconds:.0f} s "
                f"(MONGODB_*_TIMEOUT_MS); the outbox orphan grace "
                f"({self.outbox_orphan_grace_seconds:.0f} s) must be at least twice that"
            )
        return self


class ServerSettings(BaseSettings):
    """Where the HTTP server listens (12-factor HOST and PORT)."""

    model_config = SettingsConfigDict(extra="ignore")

    host: str = Field(default="127.0.0.1", description="0.0.0.0 inside containers.")
    port: int = Field(default=8000, ge=1, le=65535)
