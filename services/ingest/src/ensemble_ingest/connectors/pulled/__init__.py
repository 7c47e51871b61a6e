"""Sources read by polling (Mastodon notifications, Reddit, RSS) or streamed (Mastodon, Jetstream).

Cursors, in short (each module's docstring says why):

- mastodon poll: the newest mention notification id stored; pages forward with `min_id`.
- mastodon stream: the same id; every (re)connection catches up through the poll first.
- bluesky: Jetstream's `time_us`, rewound a few seconds on resume.
- reddit: newest `created_utc` and the fullnames seen within a lookback; `after` while walking.
- rss: ETag / Last-Modified and the keys of the last document's entries.
"""

from __future__ import annotations

from ensemble_ingest.connectors.base import PulledConnector, StreamedConnector
from ensemble_ingest.connectors.pulled.bluesky import JetstreamConnector
from ensemble_ingest.connectors.pulled.mastodon import MastodonPoller, MastodonStream, catch_up
from ensemble_ingest.connectors.pulled.reddit import RedditConnector
from ensemble_ingest.connectors.pulled.rss import RssConnector

PULLED_CONNECTORS: dict[str, PulledConnector] = {
    "mastodon": MastodonPoller(),
    "reddit": RedditConnector(),
    "rss": RssConnector(),
}

STREAMED_CONNECTORS: dict[str, StreamedConnector] = {
    "mastodon": MastodonStream(),
    "bluesky": JetstreamConnector(),
}

__all__ = [
    "PULLED_CONNECTORS",
    "STREAMED_CONNECTORS",
    "JetstreamConnector",
    "MastodonPoller",
    "MastodonStream",
    "RedditConnector",
    "RssConnector",
    "catch_up",
]
