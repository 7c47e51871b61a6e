"""Instagram mentions through ingest's API on the real store and broker: Meta's webhook carries
ids only, and ingest asks a fake of the Graph API (as documented for ig-user
`mentioned_comment` and `mentioned_media`, the token as a bearer) for the text, author and
address before storing them; a source without a token, or a Graph that refuses, still stores
the mention, empty, once."""

from __future__ import annotations

import json
import threading
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ensemble_shared.sealing import Sealer
from support.apps import SECRET_KEY
from support.ingest import Ingest
from support.threaded_server import ThreadedServer
from unit.ingest.connectors.test_meta_connector import signature

APP_SECRET = "ig-app-secret"
TOKEN = "EAAGpageTokenForInstagram42"
IG_USER = "17841400000000001"


class FakeGraph(ThreadedServer):
    """`GET /v21.0/{ig-user-id}?fields=mentioned_comment.comment_id(…){…}` and the
    `mentioned_media` twin, answered from what the test seeded."""

    def __init__(self) -> None:
        super().__init__()
        self.comments: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.asked: list[str] = []
        self.refusing = False
        self._asked_lock = threading.Lock()
        self._serve(Starlette(routes=[Route("/v21.0/{user}", self._user)]))

    async def _user(self, request: Request) -> JSONResponse:
        fields = request.query_params.get("fields", "")
        with self._asked_lock:
            self.asked.append(fields)
        bearer = request.headers.get("authorization", "")
        if self.refusing or bearer != f"Bearer {TOKEN}" or request.path_params["user"] != IG_USER:
            error = {
                "message": "Invalid OAuth access token.",
                "type": "OAuthException",
                "code": 190,
            }
            return JSONResponse({"error": error}, status_code=400)
        for prefix, store, key in (
            ("mentioned_comment.comment_id(", self.comments, "mentioned_comment"),
            ("mentioned_media.media_id(", self.media, "mentioned_media"),
        ):
            if fields.startswith(prefix):
                wanted = fields[len(prefix) : fields.index(")")]
                if wanted in store:
                    return JSONResponse({key: store[wanted], "id": IG_USER})
        error = {"message": "Unsupported get request.", "type": "GraphMethodException", "code": 100}
        return JSONResponse({"error": error}, status_code=400)


def mentions_webhook(media_id: str, comment_id: str | None = None) -> bytes:
    value = {"media_id": media_id} | ({"comment_id": comment_id} if comment_id else {})
    entry = {"id": IG_USER, "time": 1765100000, "changes": [{"field": "mentions", "value": value}]}
    return json.dumps({"object": "instagram", "entry": [entry]}).encode()


async def source(ingest: Ingest, **config: Any) -> str:
    body = {
        "name": "instagram",
        "config": {
            "platform": "meta",
            "app_secret": APP_SECRET,
            "verify_token": "v",
            "instagram_user_id": IG_USER,
            **config,
        },
    }
    created = await ingest.client.post("/sources", json=body, headers=ingest.admin)
    assert created.status_code == 201, created.text
    return str(created.json()["webhook_path"])


async def send(ingest: Ingest, path: str, body: bytes) -> dict[str, Any]:
    accepted = await ingest.client.post(path, content=body, headers=signature(body, APP_SECRET))
    assert accepted.status_code == 202, accepted.text
    [touched] = accepted.json()["mentions"]
    got = await ingest.client.get(f"/mentions/{touched['mention_id']}", headers=ingest.manager)
    assert got.status_code == 200, got.text
    mention: dict[str, Any] = got.json()
    return mention


async def test_instagram_mentions_arrive_with_their_text_asked_of_the_graph_api(
    ingest: Ingest,
) -> None:
    with FakeGraph() as graph:
        path = await source(ingest, access_token=TOKEN, graph_url=graph.base_url)
        stored = await ingest.stored("sources", path.rsplit("/", 1)[1])
        assert stored["config"]["access_token"].startswith("sealed:v1:")
        assert Sealer.of(SECRET_KEY).open(stored["config"]["access_token"]) == TOKEN

        graph.comments["17990000000000001"] = {
            "id": "17990000000000001",
            "text": "@acme worst delivery ever, I hate waiting three weeks for nothing",
            "timestamp": "2026-12-07T16:20:00+0000",
            "username": "camille.dupont",
            "media": {"id": "17900000000000009", "permalink": "https://www.instagram.com/p/Cx1/"},
        }
        comment = await send(
            ingest, path, mentions_webhook("17900000000000009", "17990000000000001")
        )
        assert comment["platform"] == "instagram"
        assert comment["external_id"] == "17990000000000001"
        assert comment["text"].startswith("@acme worst delivery ever")
        assert comment["author"]["handle"] == "camille.dupont"
        assert comment["url"] == "https://www.instagram.com/p/Cx1/"
        assert comment["created_at"].startswith("2026-12-07T16:20:00")
        assert comment["triage"]["sentiment"] == "negative"  # triage saw the words

        graph.media["17900000000000077"] = {
            "id": "17900000000000077",
            "caption": "Ma nouvelle veste @acme, je l'adore",
            "timestamp": "2026-12-07T17:00:00+0000",
            "username": "lea.style",
            "permalink": "https://www.instagram.com/p/Cx2/",
        }
        caption = await send(ingest, path, mentions_webhook("17900000000000077"))
        assert (caption["text"], caption["author"]["handle"]) == (
            "Ma nouvelle veste @acme, je l'adore",
            "lea.style",
        )
        assert caption["url"] == "https://www.instagram.com/p/Cx2/"
        assert graph.asked[0].startswith("mentioned_comment.comment_id(17990000000000001){")
        assert graph.asked[1].startswith("mentioned_media.media_id(17900000000000077){")

        # Graph refusing (a revoked token): the mention is still stored, once, as Meta gave it.
        graph.refusing = True
        empty = await send(ingest, path, mentions_webhook("17900000000000078", "17990000000000002"))
        assert (empty["text"], empty["author"]["handle"]) == ("", "unknown")
    assert await ingest.count("mentions") == 3


async def test_without_a_token_instagram_mentions_are_stored_as_meta_sends_them(
    ingest: Ingest,
) -> None:
    with FakeGraph() as graph:
        path = await source(ingest, graph_url=graph.base_url)
        mention = await send(ingest, path, mentions_webhook("17900000000000005", "1799000000005"))
        assert (mention["text"], mention["in_reply_to"]) == ("", "17900000000000005")
        assert graph.asked == []  # nothing to ask with
