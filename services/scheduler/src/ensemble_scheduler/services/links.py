"""Signed, expiring approval links for approvers who decide without signing in: the token, and
the links issued when a step opens (one per external approver, one per person it names).

A link is a capability token (`ensemble_shared.capabilities`, purpose "approval-link"): it is
refused for any other purpose and is never a bearer token. Single use is not the token's
business: deciding through a link records its use under the link id (services/link_decisions.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from ensemble_scheduler.exceptions import Gone
from ensemble_scheduler.models.approvals import ApprovalRecord
from ensemble_scheduler.models.policies import StepSpec
from ensemble_shared.capabilities import Capabilities, CapabilityExpired, CapabilityInvalid
from ensemble_shared.errors import Unauthenticated
from ensemble_shared.events.approvals import ApprovalLink

PURPOSE = "approval-link"
DECISION_PAGE = "/hooks/decisions/"
"""The console's decision page: a link opens a page a person can act on (GET shows, the
form's POST decides); the console calls `GET/POST /approval-links/{token}` here."""


@dataclass(frozen=True)
class LinkClaims:
    link_id: str
    workspace: str
    content_id: str
    approval_id: str
    step: str
    round: int
    approver: str
    expires: int  # unix seconds; the token's own expiry, shown to the approver

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def link_id(approval_id: str, step: str, round_: int, approver: str) -> str:
    """One link per approver per opening of a step."""
    return f"{approval_id}:{step}:{round_}:{approver}"


class LinkSigner:
    """Approval link tokens: claims in, claims out; refusals as the API answers them."""

    def __init__(self, secret: str) -> None:
        self._capabilities = Capabilities(secret, PURPOSE)

    def sign(self, claims: LinkClaims) -> str:
        return self._capabilities.sign(asdict(claims), expires=claims.expires_at)

    def verify(self, token: str, *, now: datetime) -> LinkClaims:
        """The claims of an authentic, unexpired link: Unauthenticated (401) when it is forged
        or unreadable, Gone (410) when it expired."""
        try:
            return LinkClaims(**self._capabilities.verify(token, now=now))
        except CapabilityExpired as exc:
            raise Gone(
                f"this approval link expired at {exc.expired_at.isoformat()}; ask for a new one",
                reason="expired",
            ) from None
        except (CapabilityInvalid, TypeError):
            raise Unauthenticated("this approval link is not valid (altered or not ours)") from None


class ApprovalLinks:
    """Issues the links of an opened step, as the step-opened event carries them: each points
    at the console's decision page on ENSEMBLE_PUBLIC_URL."""

    def __init__(self, signer: LinkSigner, *, console_url: str, ttl: timedelta) -> None:
        self._signer = signer
        self._console_url = console_url.rstrip("/")
        self._ttl = ttl

    def of_step(
        self, record: ApprovalRecord, spec: StepSpec, round_: int, *, now: datetime
    ) -> tuple[tuple[ApprovalLink, ...], tuple[ApprovalLink, ...]]:
        """(links of the external approvers, links of the people the step names). The
        requester gets no link unless the policy lets them approve their own request."""
        expires = int((now + self._ttl).timestamp())

        def signed(approver: str, name: str, email: str | None = None) -> ApprovalLink:
            claims = LinkClaims(
                link_id=link_id(record.id, spec.name, round_, approver),
                workspace=record.workspace,
                content_id=record.content_id,
                approval_id=record.id,
                step=spec.name,
                round=round_,
                approver=approver,
                expires=expires,
            )
            return ApprovalLink(
                approver=approver,
                name=name,
                email=email,
                url=f"{self._console_url}{DECISION_PAGE}{self._signer.sign(claims)}",
                expires_at=claims.expires_at,
            )

        external = tuple(signed(e.id, e.name, e.email) for e in spec.external)
        people = tuple(
            signed(f"person:{p}", p)
            for p in dict.fromkeys(spec.people)
            if not record.approves_own(f"user:{p}")
        )
        return external, people
