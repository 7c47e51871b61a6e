"""Fetching an item's media links to upload them to a platform that takes files, not links.

The links are addresses people typed, so they are fetched through the outbound guard (the
connectors' client: private and metadata addresses refused, at every redirect) and read only up
to the platform's size cap, so a huge or endless file costs at most that much memory. What the
platform would refuse — another type, too large — is refused here, before anything is sent to
it; a media host that does not answer leaves the outcome unknown (nothing was posted, and the
attempt is settled like any other).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ensemble_scheduler.connectors.calls import Failed
from ensemble_scheduler.models.limits import MediaRules
from ensemble_scheduler.models.publishing import PublicationRequest, Refused, Unknown
from ensemble_shared.outbound import RefusedRequest, ResponseTooLarge


@dataclass(frozen=True)
class MediaFile:
    url: str
    data: bytes
    mime: str

    @property
    def name(self) -> str:
        """A file name for multipart uploads (the link's last segment)."""
        return httpx.URL(self.url).path.rsplit("/", 1)[-1] or "image"


def caption_of(request: PublicationRequest) -> str:
    """The text without the media links `ContentFields.outgoing_text` appends for text-only
    platforms: where the image itself goes out, its address is noise."""
    media = set(request.media)
    return "\n\n".join(p for p in request.text.split("\n\n") if p not in media)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


async def fetch(
    http: httpx.AsyncClient, url: str, rules: MediaRules, *, platform: str, seconds: float
) -> MediaFile:
    """The file at `url`, or Failed: Refused when `platform` would not take it (type, size)
    or the address may not be called, Unknown when the media host did not answer."""
    what = f"media {url}"
    too_large = Refused(f"{what}: larger than {_megabytes(rules.max_bytes)}, {platform}'s limit")
    try:
        async with http.stream("GET", url, timeout=seconds, follow_redirects=True) as response:
            status = response.status_code
            if status != 200:
                outcome = Unknown if status == 408 or status >= 500 else Refused
                raise Failed(outcome(f"{what}: HTTP {status}"))
            mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if mime not in rules.types:
                takes = ", ".join(sorted(rules.types))
                raise Failed(Refused(f"{what}: {mime or 'no type'}; {platform} takes {takes}"))
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > rules.max_bytes:
                raise Failed(too_large)
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > rules.max_bytes:
                    raise Failed(too_large)
    except RefusedRequest as exc:
        raise Failed(Refused(f"{what}: {exc}")) from None
    except ResponseTooLarge:
        raise Failed(too_large) from None
    except httpx.HTTPError as exc:
        raise Failed(Unknown(f"{what}: {type(exc).__name__}: {exc}")) from None
    return MediaFile(url, bytes(data), mime)
