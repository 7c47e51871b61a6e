"""Sources (admins): each connection with its health, enable/disable, a new source (its
signing secret shown once, on the answer to the form), and a source's raw payload archive
with re-drive of what is still pending."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import Admin

router = APIRouter(prefix="/w/{workspace}/sources")

# The platforms a form can connect without a platform's own app credentials; the others
# (Meta, X, Slack, GitHub, YouTube, Mastodon) need secrets from that platform: same API.
PLATFORMS = ("generic", "rss", "reddit", "bluesky")
RawStatus = Literal["pending", "processed", "rejected"]
Cursor = Annotated[str | None, Query(max_length=512)]


def keywords(text: str) -> list[str]:
    """Keywords typed one per line or comma-separated, without blanks or repeats."""
    return list(dict.fromkeys(k.strip() for k in re.split(r"[\n,]+", text) if k.strip()))


def source_body(name: str, platform: str, feed_url: str, words: str) -> dict[str, object]:
    config: dict[str, object] = {"platform": platform}
    if platform != "generic":
        config["keywords"] = keywords(words)
    if platform == "rss":
        config["feed_url"] = feed_url.strip()
    return {"name": name.strip(), "config": config}


async def _list(admin: Admin, status: int = 200, **context: Any) -> object:
    visit = admin.visit
    listed = await visit.clients.ingest.sources(visit.caller, admin.workspace)
    # The list has no health: each source's own answer carries it (a workspace has a few).
    detailed = await asyncio.gather(
        *(visit.clients.ingest.source(visit.caller, admin.workspace, s.id) for s in listed)
    )
    return visit.page(
        "sources/list.html",
        status=status,
        place=admin.place,
        sources=detailed,
        platforms=PLATFORMS,
        **{"created": None, "error": "", **context},
    )


@router.get("")
async def sources(admin: Admin) -> object:
    return await _list(admin)


@router.post("")
async def create_source(
    admin: Admin,
    name: Annotated[str, Form(max_length=200)],
    platform: Annotated[Literal["generic", "rss", "reddit", "bluesky"], Form()] = "generic",
    feed_url: Annotated[str, Form(max_length=2000)] = "",
    words: Annotated[str, Form(max_length=5000)] = "",
) -> object:
    visit = admin.visit
    try:
        created = await visit.clients.ingest.create_source(
            visit.caller, admin.workspace, source_body(name, platform, feed_url, words)
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        return await _list(admin, status=422, error="invalid")
    if created.secret is None:
        return visit.redirect(f"/w/{admin.workspace}/sources", notice="source_created")
    # The secret exists only in this answer: shown once, never in a URL.
    return await _list(admin, status=201, created=created)


@router.post("/{source_id}/enabled")
async def set_enabled(
    admin: Admin, source_id: str, enabled: Annotated[Literal["on", "off"], Form()]
) -> object:
    visit = admin.visit
    await visit.clients.ingest.set_source_enabled(
        visit.caller, admin.workspace, source_id, enabled == "on"
    )
    notice = "source_enabled" if enabled == "on" else "source_disabled"
    return visit.redirect(f"/w/{admin.workspace}/sources", notice=notice)


@router.get("/{source_id}/raw")
async def raw(
    admin: Admin,
    source_id: str,
    status: Annotated[RawStatus | Literal[""], Query()] = "",
    cursor: Cursor = None,
) -> object:
    visit = admin.visit
    try:
        source, page = await asyncio.gather(
            visit.clients.ingest.source(visit.caller, admin.workspace, source_id),
            visit.clients.ingest.raw_payloads(
                visit.caller, admin.workspace, source_id, status=status or None, cursor=cursor
            ),
        )
    except ApiError as exc:
        if exc.status != 422:  # a cursor this API never made
            raise
        return visit.error(400, "invalid")
    return visit.page(
        "sources/raw.html",
        place=admin.place,
        source=source,
        page=page,
        chosen=status,
        statuses=("pending", "processed", "rejected"),
    )


@router.post("/{source_id}/raw/{raw_id}/redrive")
async def redrive(admin: Admin, source_id: str, raw_id: str) -> object:
    visit = admin.visit
    back = f"/w/{admin.workspace}/sources/{source_id}/raw"
    try:
        await visit.clients.ingest.redrive(visit.caller, admin.workspace, raw_id)
    except ApiError as exc:
        if exc.status != 409:
            raise
        return visit.redirect(back, notice="raw_already_settled")
    return visit.redirect(back, notice="raw_redriven")
