"""OAuth 2 connections of publishing accounts: each platform's documented endpoints, what a
connection started from the console holds, and the tokens a grant gives.

The table is what each platform documents for the authorization-code flow; an operator sets
the client id and secret (and may move any URL, for a proxy or a test) per platform. Platforms
without a client id do not offer "Connect".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ensemble_shared.inputs import WebUrl

OAuthPlatform = Literal["x", "linkedin", "youtube", "facebook", "instagram", "slack", "github"]
ClientAuth = Literal["client_secret_basic", "client_secret_post"]
ConnectionStatus = Literal["started", "exchanged", "used"]


@dataclass(frozen=True)
class Provider:
    """One platform's authorization-code flow as its documentation gives it."""

    title: str
    authorize_url: str
    token_url: str
    scopes: str
    base_url: str  # the API the channel's connector calls (ChannelAccount.base_url)
    pkce: bool
    client_auth: ClientAuth
    refresh: Literal["refresh_token", "long_lived", "none"]
    extra: dict[str, str] = field(default_factory=dict)  # more authorize parameters


PROVIDERS: dict[str, Provider] = {
    # docs.x.com: OAuth 2.0 Authorization Code Flow with PKCE; access tokens last 2 h,
    # offline.access gives a refresh token, single-use (each refresh returns a new one).
    "x": Provider(
        "X",
        "https://x.com/i/oauth2/authorize",
        "https://api.x.com/2/oauth2/token",
        "tweet.read tweet.write users.read media.write offline.access",
        "https://api.x.com",
        pkce=True,
        client_auth="client_secret_basic",
        refresh="refresh_token",
    ),
    # learn.microsoft.com: LinkedIn 3-legged OAuth; refresh tokens for approved apps only.
    "linkedin": Provider(
        "LinkedIn",
        "https://www.linkedin.com/oauth/v2/authorization",
        "https://www.linkedin.com/oauth/v2/accessToken",
        "w_organization_social r_organization_social",
        "https://api.linkedin.com",
        pkce=False,
        client_auth="client_secret_post",
        refresh="refresh_token",
    ),
    # developers.google.com/identity/protocols/oauth2/web-server: PKCE, a refresh token with
    # access_type=offline (prompt=consent gives one again on a reconnect).
    "youtube": Provider(
        "YouTube",
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
        "https://www.googleapis.com/auth/youtube.force-ssl",
        "https://www.googleapis.com/youtube/v3",
        pkce=True,
        client_auth="client_secret_post",
        refresh="refresh_token",
        extra={"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
    ),
    # developers.facebook.com: Facebook Login manual flow; no refresh grant: the short-lived
    # user token is exchanged for a long-lived one, then the Page's token is read with it.
    "facebook": Provider(
        "Facebook",
        "https://www.facebook.com/v21.0/dialog/oauth",
        "https://graph.facebook.com/v21.0/oauth/access_token",
        "pages_show_list,pages_manage_posts,pages_read_engagement,pages_manage_engagement",
        "https://graph.facebook.com",
        pkce=False,
        client_auth="client_secret_post",
        refresh="long_lived",
    ),
    "instagram": Provider(
        "Instagram",
        "https://www.facebook.com/v21.0/dialog/oauth",
        "https://graph.facebook.com/v21.0/oauth/access_token",
        "instagram_basic,instagram_content_publish,instagram_manage_comments,"
        "pages_show_list,pages_read_engagement",
        "https://graph.facebook.com",
        pkce=False,
        client_auth="client_secret_post",
        refresh="long_lived",
    ),
    # api.slack.com/authentication/oauth-v2: oauth.v2.access; with token rotation on, tokens
    # last 12 h and come with a refresh token.
    "slack": Provider(
        "Slack",
        "https://slack.com/oauth/v2/authorize",
        "https://slack.com/api/oauth.v2.access",
        "chat:write,channels:history,groups:history",
        "https://slack.com/api",
        pkce=False,
        client_auth="client_secret_post",
        refresh="refresh_token",
    ),
    # docs.github.com: GitHub App user access tokens last 8 h; refresh tokens 6 months, single
    # use; PKCE is supported.
    "github": Provider(
        "GitHub",
        "https://github.com/login/oauth/authorize",
        "https://github.com/login/oauth/access_token",
        "",
        "https://api.github.com",
        pkce=True,
        client_auth="client_secret_post",
        refresh="refresh_token",
    ),
}

REFUSED_GRANTS = frozenset(
    {"invalid_grant", "bad_refresh_token", "invalid_refresh_token", "token_revoked"}
)
"""What a token endpoint answers (RFC 6749 §5.2, and GitHub's and Slack's own words) when the
refresh token is no good any more: only a new connection helps."""


@dataclass(frozen=True)
class Grant:
    """What a token endpoint gave: the tokens, when the access token expires, who it is."""

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scope: str | None = None
    account_name: str | None = None


class ConnectionStart(BaseModel):
    """POST /publishing/channels/{channel}/connections: which platform, and the channel's
    account fields OAuth does not give (the API address defaults to the platform's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: OAuthPlatform
    base_url: WebUrl | None = Field(default=None, description="Default: the platform's API.")
    target: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Z0-9]+$",
        description="Slack channel id, Facebook Page id or Instagram user id.",
    )
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"


class ConnectionStarted(BaseModel):
    state: str
    authorize_url: str
    expires_at: datetime


class CodeIn(BaseModel):
    """The provider's answer the console's callback received."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=2048)
    redirect_uri: str | None = Field(default=None, max_length=2048)


class Connection(BaseModel):
    """A connection under way (kept server-side, expiring, single-use): bound to the
    workspace, the channel and the person who started it."""

    model_config = ConfigDict(frozen=True)

    workspace: str
    channel: str
    subject: str
    platform: OAuthPlatform
    verifier: str
    redirect_uri: str
    base_url: str
    target: str | None = None
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    created_at: datetime
    expires_at: datetime


class ConnectionView(BaseModel):
    """What the console shows before the person says "use this account" (no token)."""

    channel: str
    platform: OAuthPlatform
    title: str
    status: ConnectionStatus
    expires_at: datetime
    account_name: str | None = None
    scope: str | None = None
    token_expires_at: datetime | None = None


class PlatformView(BaseModel):
    platform: OAuthPlatform
    title: str


@dataclass(frozen=True)
class OAuthClient:
    """One platform's client as the operator registered it, over the documented defaults."""

    platform: str
    provider: Provider
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    scopes: str
