"""What each platform takes in one post: the longest text and the media it accepts.

One table for two moments: an item is checked against its channel's platform when it goes for
approval (a person fixes a too-long text or a wrong image before anyone approves it, not after
the slot passed), and connectors keep their own check at publish as the last guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TextUnit = Literal["characters", "graphemes", "weighted"]
"""How the platform counts: Python characters, user-perceived characters (Bluesky), or X's
weighted count (most characters 1, CJK and emoji 2, any link 23)."""


@dataclass(frozen=True)
class MediaRules:
    """The images one post may carry, as the platform documents them."""

    most: int
    max_bytes: int
    types: frozenset[str]  # MIME types
    required: bool = False  # Instagram: no text-only posts


@dataclass(frozen=True)
class PlatformLimits:
    text: int
    unit: TextUnit = "characters"
    media: MediaRules | None = None  # None: media links go in the text


JPEG_PNG = frozenset({"image/jpeg", "image/png"})
WEB_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})

LIMITS: dict[str, PlatformLimits] = {
    # docs.joinmastodon.org: 500 characters is the default instance limit; four attachments,
    # images of 16 MB (the `image_size_limit` mastodon.social announces in /api/v2/instance;
    # an instance set lower answers 422 with its reason), uploaded with POST /api/v2/media.
    "mastodon": PlatformLimits(
        text=500, media=MediaRules(most=4, max_bytes=16 * 1024 * 1024, types=WEB_IMAGES)
    ),
    # docs.bsky.app: app.bsky.feed.post text is 300 graphemes; app.bsky.embed.images holds four
    # images, each blob at most 1,000,000 bytes (the lexicon's maxSize), uploaded with
    # com.atproto.repo.uploadBlob.
    "bluesky": PlatformLimits(
        text=300,
        unit="graphemes",
        media=MediaRules(most=4, max_bytes=1_000_000, types=WEB_IMAGES),
    ),
    # docs.github.com: a comment body is at most 65,536 characters.
    "github": PlatformLimits(text=65_536),
    # api.slack.com chat.postMessage: text is truncated past 40,000 characters.
    "slack": PlatformLimits(text=40_000),
    # developers.facebook.com: a page post's message is at most 63,206 characters.
    "facebook": PlatformLimits(text=63_206),
    # developers.facebook.com Instagram content publishing: 2,200-character captions, JPEG
    # images of 8 MB at most, one to ten per post (a carousel from two).
    "instagram": PlatformLimits(
        text=2_200,
        media=MediaRules(
            most=10, max_bytes=8 * 1024 * 1024, types=frozenset({"image/jpeg"}), required=True
        ),
    ),
    # docs.x.com: 280 weighted characters (links 23, CJK and emoji 2); up to 4 images of 5 MB
    # (JPEG, PNG, GIF, WEBP), uploaded with POST /2/media/upload.
    "x": PlatformLimits(
        text=280,
        unit="weighted",
        media=MediaRules(most=4, max_bytes=5 * 1024 * 1024, types=WEB_IMAGES),
    ),
    # learn.microsoft.com/linkedin (Posts API, Images API): 3,000-character commentary; JPEG,
    # PNG or GIF images, up to 20 in one organic post (multiImage). LinkedIn limits pixels
    # (36,152,320), not bytes: 5 MB is what the scheduler fetches from a media address.
    "linkedin": PlatformLimits(
        text=3_000,
        media=MediaRules(
            most=20, max_bytes=5 * 1024 * 1024, types=frozenset({*JPEG_PNG, "image/gif"})
        ),
    ),
    # developers.google.com/youtube/v3 comments: textOriginal is at most 10,000 characters;
    # a comment carries no media (a link stays in the text).
    "youtube": PlatformLimits(text=10_000),
}
"""Per connector name; a connector absent here (the signed webhook) takes anything."""


def media_rules(connector: str) -> MediaRules:
    """The images a platform that takes them accepts (its connector uploads them)."""
    rules = LIMITS[connector].media
    if rules is None:
        raise LookupError(f"{connector} takes no media")
    return rules


NAMES = {"github": "GitHub", "linkedin": "LinkedIn", "youtube": "YouTube", "x": "X"}


def display_name(connector: str) -> str:
    """The platform's name as people write it, for messages."""
    return NAMES.get(connector, connector.capitalize())
