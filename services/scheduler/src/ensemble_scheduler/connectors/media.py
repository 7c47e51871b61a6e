"""An item's image fetched for platforms that take bytes, not links (LinkedIn's Images API).

The address is one a person typed, so it is fetched through the scheduler's guarded client (no
private or metadata address, every redirect checked again) and read in chunks only up to the
platform's size limit: an oversized or mistyped image is refused with a reason, before any post
exists. A server error or a timeout may pass, so it leaves the outcome unknown (and nothing was
posted: the look-up that follows finds nothing and the next attempt fetches again).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ensemble_scheduler.connectors.calls import Failed
from ensemble_scheduler.models.limits import MediaRules
from ensemble_scheduler.models.publishing import Refused, Unknown
from ensemble_shared.outbound import RefusedRequest, ResponseTooLarge


@dataclass(frozen=True)
class Image:
    url: str
    mime: str
    data: bytes


def _mime(response: httpx.Response) -> str:
    kind: str = response.headers.get("content-type", "")
    return kind.split(";", 1)[0].strip().lower()


async def fetch(http: httpx.AsyncClient, url: str, rules: MediaRules, *, seconds: float) -> Image:
    """The image at `url` if the platform takes it (type and size); Failed otherwise."""
    try:
        async with http.stream("GET", url, timeout=seconds, follow_redirects=True) as response:
            if response.status_code != 200:
                status = response.status_code
                outcome = Unknown if status == 408 or status >= 500 else Refused
                raise Failed(outcome(f"media {url}: HTTP {status}"))
            mime = _mime(response)
            if mime not in rules.types:
                kinds = ", ".join(sorted(rules.types))
                raise Failed(Refused(f"media {url}: {mime or 'no type'} is not one of {kinds}"))
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > rules.max_bytes:
                    raise ResponseTooLarge(rules.max_bytes)
                chunks.append(chunk)
    except (RefusedRequest, ResponseTooLarge) as exc:
        raise Failed(Refused(f"media {url}: {exc}")) from None
    except httpx.HTTPError as exc:
        raise Failed(Unknown(f"media {url}: {type(exc).__name__}: {exc}")) from None
    return Image(url, mime, b"".join(chunks))
