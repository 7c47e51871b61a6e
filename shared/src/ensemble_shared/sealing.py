"""Secrets a service keeps for later (platforms' signing secrets and tokens, integrators'
signing secrets, publishing tokens) are sealed at rest: a copy of the database or of a backup
holds ciphertext, not credentials.

Each service seals with its own keys: `<SERVICE>_SEALING_KEYS` (Fernet keys, comma-separated;
the first seals, every one opens), else one key derived from its `<SERVICE>_SECRET_KEY`. The key
derived from the secret key always opens too, so moving from the default to explicit keys needs
nothing more. Values written before sealing existed (no prefix) are read as they are and sealed
at their next write; `reseal` rewrites a value under the first key.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, Field, SecretStr, field_validator

PREFIX = "sealed:v1:"


class SealBroken(Exception):
    """A sealed value no configured key opens (the keys changed without keeping the old one)."""


def derived_key(secret_key: str) -> str:
    """The Fernet key a service seals with when no sealing key is set."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ensemble sealing v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode())).decode()


class Sealer:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one sealing key is needed")
        fernets = [Fernet(key.encode()) for key in keys]
        self._primary = fernets[0]
        self._fernet = MultiFernet(fernets)

    @classmethod
    def of(cls, secret_key: str, sealing_keys: str = "") -> Sealer:
        """From a service's settings: its explicit keys first, then the derived one."""
        explicit = [key.strip() for key in sealing_keys.split(",") if key.strip()]
        return cls([*explicit, derived_key(secret_key)])

    def seal(self, value: str) -> str:
        if value.startswith(PREFIX):
            return value  # sealed already: sealing twice would hide the secret from `open`
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def open(self, value: str) -> str:
        if not value.startswith(PREFIX):
            return value  # written before sealing: taken as it is, sealed at its next write
        try:
            return self._fernet.decrypt(value.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise SealBroken(
                "a sealed secret opens with none of the configured keys: keep the previous key "
                "in <SERVICE>_SEALING_KEYS until every value is resealed"
            ) from None

    def reseal(self, value: str) -> str:
        """The value sealed under the first key: unchanged when it is already, so resealing
        twice writes nothing the second time (plain values get sealed)."""
        if value.startswith(PREFIX):
            try:
                self._primary.decrypt(value.removeprefix(PREFIX).encode())
            except InvalidToken:
                pass
            else:
                return value
        return self.seal(self.open(value))

    def reseal_fields(self, document: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
        return _each(document, names, self.reseal)

    def seal_fields(self, document: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
        """`document` with the secrets under `names` sealed (see `_each`)."""
        return _each(document, names, self.seal)

    def open_fields(self, document: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
        return _each(document, names, self.open)


def _each(
    document: Mapping[str, Any], names: Collection[str], change: Callable[[str], str]
) -> dict[str, Any]:
    """Apply `change` to the secrets under `names`: a string, a list of strings, or a list of
    `{"value": secret, ...}` objects (rotating secrets with their expiry)."""

    def secret(value: Any) -> Any:
        if isinstance(value, str):
            return change(value)
        if isinstance(value, list):
            return [secret(item) for item in value]
        if isinstance(value, Mapping) and isinstance(value.get("value"), str):
            return {**value, "value": change(value["value"])}
        return value

    return {key: secret(value) if key in names else value for key, value in document.items()}


def valid_keys(value: str) -> str:
    """A settings validator: every listed key must be a Fernet key."""
    for key in (k.strip() for k in value.split(",")):
        if key:
            try:
                Fernet(key.encode())
            except ValueError:
                raise ValueError(
                    "each sealing key must be a Fernet key (32 url-safe base64 bytes), e.g. from "
                    "`python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'`"
                ) from None
    return value


class SealingFields(BaseModel):
    """Mixed into the settings of a service that keeps secrets; it has its own `secret_key`."""

    secret_key: SecretStr
    sealing_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Fernet keys sealing the secrets this service stores, comma-separated: the "
        "first seals, all open. Default: one key derived from the service's secret key.",
    )

    @field_validator("sealing_keys")
    @classmethod
    def _fernet_keys(cls, value: SecretStr) -> SecretStr:
        valid_keys(value.get_secret_value())
        return value

    def sealer(self) -> Sealer:
        return Sealer.of(self.secret_key.get_secret_value(), self.sealing_keys.get_secret_value())
