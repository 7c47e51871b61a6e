"""Configured sources: one connection of a workspace to a platform, with its credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, HttpUrl

from ensemble_shared.events import new_id, utcnow
from ensemble_shared.inputs import WebUrl

Keywords = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]],
    Field(default_factory=list, max_length=50, description="Brand keywords matched in text."),
]


class GenericConfig(BaseModel):
    """Our own Standard Webhooks receiver: any system that can sign its POSTs."""

    platform: Literal["generic"] = "generic"
    secrets: list[str] = Field(default_factory=list, description="whsec_ secrets; set by Ensemble.")


class MetaConfig(BaseModel):
    """Facebook page `feed` changes and Instagram `mentions` (Graph API webhooks)."""

    platform: Literal["meta"] = "meta"
    app_secret: str = Field(min_length=1, description="Signs X-Hub-Signature-256.")
    verify_token: str = Field(min_length=1, description="Echoed by the subscription handshake.")
    page_id: str | None = Field(default=None, description="The brand's page id.")
    instagram_user_id: str | None = Field(default=None, description="The brand's IG account id.")
    access_token: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="A Page access token with instagram_basic and instagram_manage_comments: "
        "Instagram mention webhooks carry ids only, and the Graph API gives their text, author "
        "and address (sealed at rest, never shown).",
    )
    graph_url: WebUrl = Field(
        default=HttpUrl("https://graph.facebook.com"), description="The Graph API's address."
    )


class XConfig(BaseModel):
    """X Account Activity API: `tweet_create_events` mentioning the brand."""

    platform: Literal["x"] = "x"
    consumer_secret: str = Field(min_length=1, description="Answers CRC, signs POSTs.")
    brand_user_id: str = Field(min_length=1, description="The subscribed (brand) account id.")


class SlackConfig(BaseModel):
    """Slack Events API: `app_mention` and message events."""

    platform: Literal["slack"] = "slack"
    signing_secret: str = Field(min_length=1, description="Signs X-Slack-Signature (v0).")
    keywords: Keywords


class GitHubConfig(BaseModel):
    """GitHub issue and discussion comments mentioning the brand."""

    platform: Literal["github"] = "github"
    webhook_secret: str = Field(min_length=1, description="Signs X-Hub-Signature-256.")
    keywords: Keywords


class YouTubeConfig(BaseModel):
    """YouTube's WebSub (PubSubHubbub) Atom pushes for a channel."""

    platform: Literal["youtube"] = "youtube"
    hub_secret: str = Field(min_length=1, description="Signs X-Hub-Signature (sha1).")
    channel_id: str = Field(min_length=1, description="The channel whose feed is subscribed.")


class MastodonConfig(BaseModel):
    """Mentions of the brand's Mastodon account: notifications API, or the streaming API."""

    platform: Literal["mastodon"] = "mastodon"
    base_url: WebUrl = Field(description="The instance, e.g. https://mastodon.social.")
    access_token: str = Field(min_length=1, description="Token with read:notifications.")
    mode: Literal["poll", "stream"] = "poll"


class BlueskyConfig(BaseModel):
    """Bluesky through Jetstream: posts with a mention facet of the brand's DID, or keywords."""

    platform: Literal["bluesky"] = "bluesky"
    jetstream_url: str = Field(
        default="wss://jetstream2.us-east.bsky.network/subscribe", description="Jetstream endpoint."
    )
    brand_did: str | None = Field(default=None, pattern=r"^did:[a-z]+:[A-Za-z0-9._:%-]+$")
    keywords: Keywords


class RedditConfig(BaseModel):
    """Reddit search (or subreddit listings) for brand keywords, paged with `after`."""

    platform: Literal["reddit"] = "reddit"
    base_url: WebUrl = Field(default=HttpUrl("https://www.reddit.com"))
    keywords: Keywords
    subreddits: list[str] = Field(default_factory=list, max_length=50)
    user_agent: str = Field(default="Ensemble/0.1 (community management)")


class RssConfig(BaseModel):
    """An RSS or Atom feed (news, blogs); items matching the keywords, or all when none."""

    platform: Literal["rss"] = "rss"
    feed_url: WebUrl
    keywords: Keywords


SourceConfig = Annotated[
    GenericConfig
    | MetaConfig
    | XConfig
    | SlackConfig
    | GitHubConfig
    | YouTubeConfig
    | MastodonConfig
    | BlueskyConfig
    | RedditConfig
    | RssConfig,
    Field(discriminator="platform"),
]

WEBHOOK_PLATFORMS = frozenset({"generic", "meta", "x", "slack", "github", "youtube"})


class SourceCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    config: SourceConfig = Field(default_factory=GenericConfig)


class Source(BaseModel):
    id: str = Field(default_factory=new_id)
    workspace: str
    name: str
    config: SourceConfig
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def platform(self) -> str:
        return self.config.platform


class SourceOut(BaseModel):
    id: str
    name: str
    platform: str
    enabled: bool
    created_at: datetime
    webhook_path: str | None = Field(description="Where the platform posts; None when pulled.")

    @classmethod
    def of(cls, source: Source) -> SourceOut:
        webhook = source.platform in WEBHOOK_PLATFORMS
        return cls(
            id=source.id,
            name=source.name,
            platform=source.platform,
            enabled=source.enabled,
            created_at=source.created_at,
            webhook_path=f"/webhooks/{source.platform}/{source.id}" if webhook else None,
        )


class SourceCreated(SourceOut):
    secret: str | None = Field(
        default=None, description="Generic sources only, shown once: sign webhooks with it."
    )


class SourceState(BaseModel):
    """Where a pulled source is, and how it is doing (served by the API, exported as metrics)."""

    source_id: str
    cursor: str | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    errors: int = 0
    items: int = Field(default=0, description="Items fetched so far.")
    lag_seconds: float | None = Field(
        default=None, description="Age of the newest item at its fetch: how far behind we are."
    )
    rate_remaining: int | None = None
    paused_until: datetime | None = Field(default=None, description="Rate-limited until.")


class SourceDetail(SourceOut):
    state: SourceState | None = None
