"""What the Bluesky, GitHub and Slack connectors put on the wire, and how they read a
platform's rate-limit answer: the shapes each platform documents, built without any I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ensemble_scheduler.connectors import bluesky, github, slack
from ensemble_scheduler.connectors.calls import rate_limited, wait_of
from ensemble_scheduler.connectors.graphemes import graphemes
from ensemble_scheduler.models.publishing import ChannelAccount, PublicationRequest, Refused

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def _account(**fields: object) -> ChannelAccount:
    base: dict[str, object] = {
        "connector": "slack",
        "base_url": "https://slack.com/api",
        "access_token": "xoxb-1",
        "workspace": "acme",
        "channel": "team",
        "revision": 1,
        "updated_by": "ada",
        "updated_at": NOW,
    }
    return ChannelAccount.model_validate({**base, **fields})


def _piece(text: str, facet: dict[str, object]) -> str:
    index = facet["index"]
    assert isinstance(index, dict)
    return text.encode()[index["byteStart"] : index["byteEnd"]].decode()


def test_facet_offsets_count_utf8_bytes_not_characters() -> None:
    text = "Café ☕ déjà vu 👩🏽‍💻 @ada.bsky.social lit https://exemple.fr/été?x=1. #Lancement"
    found = bluesky.facets(text, {"ada.bsky.social": "did:plc:ada"})
    kinds = [f["features"][0]["$type"].rsplit("#", 1)[1] for f in found]
    assert kinds == ["mention", "link", "tag"]  # in text order
    mention, link, tag = found
    assert _piece(text, mention) == "@ada.bsky.social"
    assert mention["features"][0]["did"] == "did:plc:ada"
    assert mention["index"]["byteStart"] == len(text[: text.index("@")].encode())
    assert mention["index"]["byteStart"] > text.index("@")  # é, ☕ and the emoji are multi-byte
    assert _piece(text, link) == "https://exemple.fr/été?x=1"  # the full stop stays out
    assert link["features"][0]["uri"] == "https://exemple.fr/été?x=1"
    assert _piece(text, tag) == "#Lancement"
    assert tag["features"][0]["tag"] == "Lancement"


def test_an_unresolved_mention_and_an_email_address_get_no_facet() -> None:
    text = "Write to team@acme.example or ask @nobody.example"
    assert bluesky.facets(text, {}) == []
    assert bluesky.handles(text) == ["nobody.example"]


def test_a_reply_record_carries_strong_refs_to_root_and_parent() -> None:
    root = bluesky.Ref("at://did:plc:a/app.bsky.feed.post/3k1", "bafyroot")
    parent = bluesky.Ref("at://did:plc:b/app.bsky.feed.post/3k2", "bafyparent")
    record = bluesky.post_record("Merci !", created_at=NOW, dids={}, reply=(root, parent))
    assert record == {
        "$type": "app.bsky.feed.post",
        "text": "Merci !",
        "createdAt": "2026-12-07T01:00:00.000Z",
        "reply": {
            "root": {"uri": root.uri, "cid": "bafyroot"},
            "parent": {"uri": parent.uri, "cid": "bafyparent"},
        },
    }


def test_a_post_with_images_embeds_their_blobs() -> None:
    blob = {"$type": "blob", "ref": {"$link": "bafyblob"}, "mimeType": "image/png", "size": 3}
    image = {"alt": "logo", "image": blob}
    record = bluesky.post_record("Voici", created_at=NOW, dids={}, images=[image])
    assert record["embed"] == {"$type": "app.bsky.embed.images", "images": [image]}


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("abc", 3),
        ("e\u0301te\u0301", 3),  # combining accents
        ("👩🏽‍💻", 1),  # skin tone and ZWJ
        ("🇫🇷🇧🇪", 2),  # two flags, four regional indicators
        ("👨‍👩‍👧‍👦!", 2),
        ("a\r\nb", 3),
    ],
)
def test_graphemes_count_what_a_reader_sees_as_one_character(text: str, count: int) -> None:
    assert graphemes(text) == count


async def test_bluesky_refuses_text_over_300_graphemes_before_sending() -> None:
    sent: list[str] = []

    async def pds(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return httpx.Response(401, json={"error": "AuthenticationRequired", "message": "no"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(pds)) as http:
        connector = bluesky.BlueskyConnector(http)
        account = _account(
            connector="bluesky",
            base_url="https://bsky.social",
            identifier="brand.bsky.social",
            app_password="abcd-efgh-ijkl-mnop",
        )
        refused = await connector.publish(account, PublicationRequest(text="é" * 301))
        assert isinstance(refused, Refused)
        assert refused.reason == "text: 301 characters, Bluesky takes 300 at most"
        assert sent == []  # nothing left the process
        fits = await connector.publish(account, PublicationRequest(text="👩🏽‍💻" * 300))
    assert sent == ["/xrpc/com.atproto.server.createSession"]  # 300 emoji fit; sign-in refused
    assert isinstance(fits, Refused)
    assert "AuthenticationRequired" in fits.reason


def test_a_slack_reply_goes_into_its_mentions_thread_with_the_key_as_metadata() -> None:
    request = PublicationRequest(key="ensemble-c1-v2", text="On regarde", in_reply_to="C01:17.5")
    body = slack.message(_account(), request)
    assert body == {
        "channel": "C01",
        "text": "On regarde",
        "thread_ts": "17.5",
        "metadata": {
            "event_type": "ensemble_publication",
            "event_payload": {"key": "ensemble-c1-v2"},
        },
    }
    post = slack.message(_account(target="C0POSTS"), PublicationRequest(key="k", text="Hello"))
    assert post["channel"] == "C0POSTS"
    assert "thread_ts" not in post
    with pytest.raises(ValueError, match="target channel"):
        slack.message(_account(), PublicationRequest(key="k", text="Hello"))


def test_a_github_answer_goes_to_the_issue_or_the_discussion_thread_it_answers() -> None:
    repository = {"owner": {"login": "acme"}, "name": "widgets"}
    on_issue = {"__typename": "IssueComment", "issue": {"number": 7, "repository": repository}}
    assert github.thread_of(on_issue).comments() == "/repos/acme/widgets/issues/7/comments"  # type: ignore[union-attr]
    top = {"__typename": "DiscussionComment", "id": "DC_1", "discussion": {"id": "D_1"}}
    assert github.thread_of({**top, "replyTo": None}) == github.DiscussionThread("D_1", "DC_1")
    nested = {**top, "id": "DC_2", "replyTo": {"id": "DC_1"}}
    assert github.thread_of(nested) == github.DiscussionThread("D_1", "DC_1")  # one level deep
    with pytest.raises(ValueError, match="PullRequest"):
        github.thread_of({"__typename": "PullRequest"})
    body = github.body_of(PublicationRequest(key="ensemble-c1-v1", text="Corrigé en 2.1"))
    assert body == "Corrigé en 2.1\n\n<!-- ensemble:ensemble-c1-v1 -->"


def test_rate_limit_waits_are_read_from_each_platforms_headers() -> None:
    def answer(status: int, **headers: str) -> httpx.Response:
        return httpx.Response(status, headers={k.replace("_", "-"): v for k, v in headers.items()})

    slack_429 = answer(429, retry_after="30")
    assert wait_of(slack_429, NOW) == 30
    date = (NOW + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert wait_of(answer(429, retry_after=date), NOW) == 90
    assert wait_of(answer(429, retry_after="soon"), NOW) is None
    reset = str(int((NOW + timedelta(seconds=12)).timestamp()))
    assert wait_of(answer(429, ratelimit_remaining="0", ratelimit_reset=reset), NOW) == 12
    assert wait_of(answer(200, ratelimit_remaining="7", ratelimit_reset=reset), NOW) is None
    exhausted = answer(403, x_ratelimit_remaining="0", x_ratelimit_reset=reset)
    assert rate_limited(exhausted)  # GitHub's primary limit is a 403
    assert not rate_limited(answer(403))  # a plain forbidden is for good
    assert rate_limited(slack_429)
