"""Who acts and from where: what every change records (audit) and every session remembers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActorKind = Literal["account", "api_key", "operator", "system"]


@dataclass(frozen=True)
class Origin:
    """The client behind a request: its address (through trusted proxies) and user agent."""

    ip: str
    user_agent: str = ""


OPERATOR_ORIGIN = Origin(ip="local", user_agent="ensemble_identity.cli")


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an account, an API key, the operator's command line, or identity."""

    id: str
    kind: ActorKind
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    name: str = ""

    @classmethod
    def account(cls, account_id: str, roles: tuple[str, ...] = (), name: str = "") -> Actor:
        return cls(id=account_id, kind="account", roles=roles, name=name)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_staff(self) -> bool:
        """Any company-side role (a community member's token is not)."""
        return bool(self.roles) and "member" not in self.roles


OPERATOR = Actor(id="operator", kind="operator", roles=("admin",), name="Ensemble")
SYSTEM = Actor(id="system", kind="system", name="Ensemble")
