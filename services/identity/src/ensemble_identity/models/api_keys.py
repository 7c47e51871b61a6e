"""API keys: credentials of integrators and scripts, exchanged for access tokens (OAuth 2
client credentials: the key id is the client id, the secret the client secret)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ensemble_identity.models.roles import StaffRole, role_set
from ensemble_shared.events import utcnow
from ensemble_shared.inputs import StorableDatetime
from ensemble_shared.storage import Document


class ApiKey(BaseModel):
    id: str
    workspace: str
    name: str
    roles: tuple[str, ...]
    secret_digest: str
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def document(self) -> Document:
        return {"_id": self.id, **self.model_dump(exclude={"id"})}

    @classmethod
    def of(cls, document: Document) -> ApiKey:
        return cls.model_validate({"id": document["_id"], **document})

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    roles: list[StaffRole] = Field(min_length=1, description="At most the creator's roles.")
    expires_at: StorableDatetime | None = Field(default=None, description="Never, when absent.")

    @field_validator("roles")
    @classmethod
    def _roles(cls, roles: list[str]) -> list[str]:
        return list(role_set(roles))


class ApiKeyView(BaseModel):
    id: str
    name: str
    roles: tuple[str, ...]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyView:
        return cls(**key.model_dump(exclude={"workspace", "secret_digest"}))


class ApiKeyCreated(ApiKeyView):
    """Shown once: the secret is stored only as a digest."""

    client_id: str = Field(description="The key id; the OAuth client id.")
    client_secret: str = Field(description="Shown once; POST /oauth/token with both.")
