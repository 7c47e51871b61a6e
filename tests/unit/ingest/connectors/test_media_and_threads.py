"""Attachments and thread roots reach the canonical mention where the platform gives them."""

from __future__ import annotations

from datetime import UTC, datetime

from ensemble_ingest.connectors.base import MentionUpsert
from ensemble_ingest.connectors.pulled import PULLED_CONNECTORS, STREAMED_CONNECTORS
from ensemble_ingest.models.sources import BlueskyConfig, MastodonConfig
from support.fake_platforms.jetstream import FakeJetstream
from support.fake_platforms.mastodon import FakeMastodon
from unit.ingest.connectors.test_x_connector import CONFIG, CONNECTOR, created, tweet


def test_mastodon_attachments_become_media_links() -> None:
    fake = FakeMastodon()
    notification = fake.mention("Look at this receipt")
    notification["status"]["media_attachments"] = [
        {"id": "1", "type": "image", "url": "https://files.mastodon.example/media/receipt.png"},
        {"id": "2", "type": "video", "url": None},
    ]
    config = MastodonConfig(base_url="https://mastodon.example", access_token="t")
    [change] = PULLED_CONNECTORS["mastodon"].parse(config, notification)
    assert isinstance(change, MentionUpsert)
    assert [str(link) for link in change.mention.media] == [
        "https://files.mastodon.example/media/receipt.png"
    ]


def test_a_mastodon_edit_carries_its_edit_time_and_an_original_its_creation() -> None:
    fake = FakeMastodon()
    config = MastodonConfig(base_url="https://mastodon.example", access_token="t")
    original = fake.mention("Acme's app is slow")
    [first] = PULLED_CONNECTORS["mastodon"].parse(config, original)
    assert isinstance(first, MentionUpsert)
    assert first.mention.revised_at is None
    assert first.mention.version_time() == first.mention.created_at
    edited = fake.mention("Acme's app is fast again")
    edited["status"]["edited_at"] = "2031-05-04T10:00:00.000Z"
    [second] = PULLED_CONNECTORS["mastodon"].parse(config, edited)
    assert isinstance(second, MentionUpsert)
    assert second.mention.version_time() == datetime(2031, 5, 4, 10, tzinfo=UTC)


def test_bluesky_replies_carry_their_thread_root() -> None:
    brand = "did:plc:brand"
    event = FakeJetstream().post(
        "did:plc:camille", "still broken", mentions=(brand,), reply_to="at://did:plc:x/p/1"
    )
    config = BlueskyConfig(brand_did=brand, keywords=[])
    [change] = STREAMED_CONNECTORS["bluesky"].parse(config, event)
    assert isinstance(change, MentionUpsert)
    assert change.mention.thread_id == "at://did:plc:x/p/1"


def test_x_photos_become_media_links() -> None:
    photo = {"media_url_https": "https://pbs.twimg.com/media/abc.jpg", "type": "photo"}
    body = created(tweet(extended_entities={"media": [photo]}))
    [change] = CONNECTOR.parse(CONFIG, {}, body).changes
    assert isinstance(change, MentionUpsert)
    assert [str(link) for link in change.mention.media] == ["https://pbs.twimg.com/media/abc.jpg"]
