"""Whether an item can go out on its channel's platform as it is, asked before approval.

A post too long for its platform, or an image of the wrong type or size, would otherwise be
found at the slot, after every approver spent time on it. The item is checked against the
platform's row in `LIMITS` when it is sent for approval: the text as it will go out, the number
of images, and each image's type and size as its server declares them (HEAD, or the start of a
GET when HEAD is not answered); a reply, a comment under a comment, only for its text. A
channel without a publishing account is not checked: its platform is not known yet, and
publishing checks again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from ensemble_scheduler.connectors.graphemes import graphemes
from ensemble_scheduler.connectors.weighted import weighted_length
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.models.limits import (
    LIMITS,
    MediaRules,
    PlatformLimits,
    TextUnit,
    display_name,
)
from ensemble_scheduler.storage.accounts import ChannelAccountRepository
from ensemble_shared.errors import Invalid
from ensemble_shared.outbound import ResponseTooLarge

PROBE_SECONDS = 10.0


def length_of(text: str, unit: TextUnit) -> int:
    if unit == "graphemes":
        return graphemes(text)
    if unit == "weighted":
        return weighted_length(text)
    return len(text)


def text_problems(text: str, limits: PlatformLimits, platform: str) -> list[str]:
    """Counted as the platform counts (its own limit says "characters" in every unit)."""
    length = length_of(text, limits.unit)
    if length <= limits.text:
        return []
    return [f"text: {length} characters, {platform} takes {limits.text} at most"]


@dataclass(frozen=True)
class MediaFacts:
    """What the image's server says about it; None where it did not say."""

    url: str
    type: str | None
    size: int | None
    error: str | None = None


def media_problems(facts: list[MediaFacts], rules: MediaRules, platform: str) -> list[str]:
    problems: list[str] = []
    if rules.required and not facts:
        problems.append(f"media: {platform} posts need an image")
    if len(facts) > rules.most:
        problems.append(f"media: {len(facts)} images, {platform} takes {rules.most} at most")
    kinds = ", ".join(sorted(rules.types))
    for n, fact in enumerate(facts, start=1):
        if fact.error is not None:
            problems.append(f"media {n} ({fact.url}): could not be read: {fact.error}")
            continue
        if fact.type not in rules.types:
            problems.append(
                f"media {n} ({fact.url}): {fact.type or 'unknown type'}, {platform} takes {kinds}"
            )
        if fact.size is not None and fact.size > rules.max_bytes:
            problems.append(
                f"media {n} ({fact.url}): {fact.size:,} bytes, {platform} takes "
                f"{rules.max_bytes:,} at most"
            )
    return problems


class PostChecker:
    def __init__(self, accounts: ChannelAccountRepository, http: httpx.AsyncClient) -> None:
        self._accounts = accounts
        self._http = http

    async def require_fit(self, version: ContentVersion) -> None:
        """Invalid, saying every problem at once, unless `version` fits its platform."""
        problems = await self.problems(version)
        if problems:
            raise Invalid(
                "this item cannot go out on its channel as it is; fix it, then ask for "
                "approval: " + "; ".join(problems)
            )

    async def problems(self, version: ContentVersion) -> list[str]:
        """What stops `version` from going out on its channel's platform ([] when nothing)."""
        account = await self._accounts.account(version.workspace, version.fields.channel)
        limits = None if account is None else LIMITS.get(account.connector)
        if account is None or limits is None:
            return []
        platform = display_name(account.connector)
        if limits.media is None or version.kind == "reply":  # media go as links in the text
            return text_problems(version.fields.outgoing_text(), limits, platform)
        rules = limits.media
        facts = list(
            await asyncio.gather(*(self._probe(str(url), rules) for url in version.fields.media))
        )  # together: the request waits for the slowest image, not for the sum
        return [
            *text_problems(version.fields.body, limits, platform),
            *media_problems(facts, limits.media, platform),
        ]

    async def _probe(self, url: str, rules: MediaRules) -> MediaFacts:
        try:
            head = await self._http.head(url, follow_redirects=True, timeout=PROBE_SECONDS)
            if head.status_code < 400 and head.headers.get("content-length", "").isdigit():
                return _facts(url, head.headers, int(head.headers["content-length"]))
            async with self._http.stream(
                "GET", url, follow_redirects=True, timeout=PROBE_SECONDS
            ) as response:
                if response.status_code >= 400:
                    return MediaFacts(url, None, None, f"HTTP {response.status_code}")
                size: int | None = 0
                try:
                    async for chunk in response.aiter_bytes():
                        size = (size or 0) + len(chunk)
                        if size > rules.max_bytes:
                            break  # enough to know it is too big
                except ResponseTooLarge:
                    size = None  # past what this system reads: the platform will judge
                return _facts(url, response.headers, size)
        except ResponseTooLarge:
            return MediaFacts(url, None, None, "larger than this system reads")
        except httpx.HTTPError as exc:
            return MediaFacts(url, None, None, str(exc) or type(exc).__name__)


def _facts(url: str, headers: httpx.Headers, size: int | None) -> MediaFacts:
    kind = headers.get("content-type", "").split(";")[0].strip().lower() or None
    return MediaFacts(url, kind, size)
