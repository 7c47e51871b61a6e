"""What `./dev compose-check` does through the front door, the way platforms and people would:
signed mentions in at /webhooks/generic/…, webhooks out to a receiver, an approval link read
from the email in the mail catcher and used from the host, counted like Kafka's system tests
(accepted, delivered, missing = accepted - delivered, duplicates)."""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import jwt

from ensemble_shared.events import new_id
from ensemble_shared.signatures import sign

WORKSPACE = "check"
T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], *, timeout: float, what: str) -> tuple[T, float]:
    """The first truthy answer of `probe` and how long it took; TimeoutError past `timeout`."""
    started = time.monotonic()
    while True:
        try:
            found = probe()
        except httpx.HTTPError:
            found = None
        if found:
            return found, time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.5)


@dataclass
class Door:
    """The proxy's URL as the host sees it, and the receiver's. Calls to the APIs carry an
    access token identity signed for the check's admin (see `front_door`), renewed before
    it expires, as the console does."""

    url: str
    receiver: str
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    session: str | None = None
    _token: tuple[str, float] | None = None

    def headers(self) -> dict[str, str]:
        if self.session is None:
            raise AssertionError("no one is signed in yet (front_door first)")
        if self._token is None or time.monotonic() > self._token[1]:
            issued = self.http.post(
                f"{self.url}/api/identity/access-tokens",
                json={"workspace": WORKSPACE},
                headers={"authorization": f"Bearer {self.session}"},
            )
            if issued.status_code != 200:
                raise AssertionError(f"access token: {issued.status_code} {issued.text[:300]}")
            body = issued.json()
            self._token = (body["access_token"], time.monotonic() + body["expires_in"] - 60)
        return {"authorization": f"Bearer {self._token[0]}"}

    def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = self.http.request(method, f"{self.url}{path}", headers=self.headers(), **kwargs)
        if response.status_code != expect:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None


@dataclass
class Counts:
    accepted: int  # distinct mentions ingest answered 202 for (after the platform's retries)
    delivered: int  # of those, how many reached the receiver
    missing: int
    duplicates: int  # one mention delivered under two webhook ids: a real duplicate
    redeliveries: int  # the same webhook id again: a retry a receiver dedupes
    unacknowledged: int  # delivered, though its sender never got a 202 (nor retried yet)


@dataclass
class Phase:
    """One batch: what the webhook answered (0: no answer in time) and how long it took."""

    sent: int
    answers: dict[int, int]
    slowest_s: float
    results: dict[str, int]  # ingest's word for the accepted ones: created, unchanged, ...


def _mention(label: str) -> bytes:
    now = datetime.now(UTC).isoformat()
    return json.dumps(
        {
            "type": "mention.created",
            "timestamp": now,
            "data": {
                "platform": "forum",
                "external_id": f"{label}-{new_id()}",
                "text": f"compose check: {label}",
                "created_at": now,
                "author": {"id": "u-1", "handle": "camille"},
            },
        }
    ).encode()


@dataclass
class Mentions:
    """Mentions sent through the proxy to one generic source, like a platform sends them: a
    mention not answered 202 is kept and sent again later (`retry`), and what reached the
    receiver is counted."""

    door: Door
    source: dict[str, str] = field(default_factory=dict)
    accepted: set[str] = field(default_factory=set)
    unanswered: list[bytes] = field(default_factory=list)  # to send again, as platforms do

    def open(self) -> None:
        self.door.call(
            "POST",
            "/api/notify/endpoints",
            201,
            json={"url": "http://receiver:8000/hooks", "events": ["mention.received.v1"]},
        )
        self.source = self.door.call("POST", "/api/ingest/sources", 201, json={"name": "check"})

    def _post(self, body: bytes, timeout: float) -> tuple[int, float, list[str]]:
        started = time.monotonic()
        now = datetime.now(UTC)
        headers = sign([self.source["secret"]], message_id=new_id(), timestamp=now, body=body)
        try:
            answer = self.door.http.post(
                f"{self.door.url}{self.source['webhook_path']}",
                content=body,
                headers=headers,
                timeout=timeout,
            )
        except httpx.HTTPError:
            self.unanswered.append(body)
            return 0, time.monotonic() - started, []
        results = []
        if answer.status_code == 202:
            self.accepted.update(m["mention_id"] for m in answer.json()["mentions"])
            results = [str(m["result"]) for m in answer.json()["mentions"]]
        else:
            self.unanswered.append(body)
        return answer.status_code, time.monotonic() - started, results

    def _batch(self, bodies: list[bytes], *, parallel: int, timeout: float) -> Phase:
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            results = list(pool.map(lambda body: self._post(body, timeout), bodies))
        answers = Counter(status for status, _, _ in results)
        slowest = max((seconds for _, seconds, _ in results), default=0.0)
        words = Counter(word for _, _, said in results for word in said)
        return Phase(len(bodies), dict(sorted(answers.items())), round(slowest, 1), dict(words))

    def send(self, count: int, label: str, *, parallel: int = 4, timeout: float = 30) -> Phase:
        """`count` new signed mentions, `parallel` at a time."""
        bodies = [_mention(f"{label}-{n}") for n in range(count)]
        return self._batch(bodies, parallel=parallel, timeout=timeout)

    def retry(self) -> Phase:
        """Sends again what was not answered 202 (the same mentions: ingest dedupes them)."""
        bodies, self.unanswered = self.unanswered, []
        return self._batch(bodies, parallel=4, timeout=30)

    def counts(self) -> Counts:
        received = self.door.http.get(f"{self.door.receiver}/received").json()
        ids: dict[str, set[str]] = defaultdict(set)
        for delivery in received:
            ids[json.loads(delivery["body"])["data"]["mention_id"]].add(delivery["webhook_id"])
        delivered = len(self.accepted & ids.keys())
        return Counts(
            accepted=len(self.accepted),
            delivered=delivered,
            missing=len(self.accepted) - delivered,
            duplicates=sum(1 for hooks in ids.values() if len(hooks) > 1),
            redeliveries=len(received) - sum(len(hooks) for hooks in ids.values()),
            unacknowledged=len(ids.keys() - self.accepted),
        )

    def wait_delivered(self, timeout: float = 300) -> float:
        """Until every accepted mention reached the receiver: the seconds it took."""

        def done() -> bool:
            return self.counts().missing == 0

        return wait_for(done, timeout=timeout, what="every accepted mention at the receiver")[1]


APPROVAL_POLICY = {
    "priority": 100,
    "steps": [
        {
            "name": "client",
            "external": [{"id": "acme-corp", "name": "ACME Corp", "email": "client@acme.test"}],
        }
    ],
}
LINK = re.compile(r"https?://[^\s\"'<>?]+/hooks/decisions/[A-Za-z0-9._~-]+")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def approve_from_email(door: Door) -> dict[str, Any]:
    """An external approver's email, read in the mail catcher through the proxy; its link
    opens the console's decision page from the host, whose form decides; a second time, 410."""
    door.call("PUT", "/api/scheduler/approval-policies/check", 200, json=APPROVAL_POLICY)
    content = door.call(
        "POST",
        "/api/scheduler/content",
        201,
        json={"kind": "post", "channel": "mastodon", "title": "Launch", "body": "We launch"},
    )
    door.call("POST", f"/api/scheduler/content/{content['id']}/approval", 201, json={})

    def email() -> str | None:
        listed = door.http.get(f"{door.url}/dev/mail/api/v1/messages").json()["messages"]
        for message in listed:
            if any(to["Address"] == "client@acme.test" for to in message["To"]):
                return str(message["ID"])
        return None

    message_id, waited = wait_for(email, timeout=120, what="the approver's email")
    text = door.http.get(f"{door.url}/dev/mail/api/v1/message/{message_id}").json()["Text"]
    links = LINK.findall(text)
    if not links:
        raise AssertionError(f"no approval link in the email:\n{text}")
    link = links[0]
    if not link.startswith(f"{door.url}/hooks/decisions/"):
        raise AssertionError(f"the email's link does not go through the proxy: {link}")
    # As the approver's browser would: the console's page, then its form (with the page's
    # CSRF token and cookie), then the same form again.
    with httpx.Client(timeout=30) as browser:
        shown = browser.get(link)
        token = CSRF.search(shown.text)
        if token is None:
            raise AssertionError(f"no form on the decision page ({shown.status_code})")
        form = {"decision": "approve", "comment": "", "csrf_token": token.group(1)}
        decided = browser.post(link, data=form)
        again = browser.post(link, data=form)
    state = door.call("GET", f"/api/scheduler/content/{content['id']}/approval", 200)
    result = {
        "email_after_s": round(waited, 1),
        "open": shown.status_code,
        "approve": decided.status_code,
        "again": again.status_code,
        "status": state["status"],
    }
    if (result["open"], result["approve"], result["again"], result["status"]) != (
        200,
        200,
        410,
        "approved",
    ):
        raise AssertionError(f"the approval link did not work as it should: {result}")
    return result


def front_door(door: Door) -> dict[str, Any]:
    """The console's pages and identity behind the one address: the first-run page, the
    check's workspace and its admin created through identity, a sign-in, an access token for
    the workspace whose signature verifies with the keys the proxy publishes at
    /.well-known/jwks.json, and that token accepted by a service (which fetched the same keys
    inside the compose network). The rest of the check calls the APIs as this admin."""
    first_run = door.http.get(f"{door.url}/", follow_redirects=True)
    if first_run.status_code != 200 or "text/html" not in first_run.headers["content-type"]:
        raise AssertionError(f"the console's first page: {first_run.status_code}")
    admin = {"email": "admin@check.example", "password": "a long compose-check passphrase"}
    opened = door.http.post(
        f"{door.url}/api/identity/setup",
        json={"workspace": WORKSPACE, "workspace_name": "Check", "name": "Admin", **admin},
    )
    if opened.status_code != 201:
        raise AssertionError(f"first run: {opened.status_code} {opened.text[:300]}")
    signed_in = door.http.post(f"{door.url}/api/identity/sessions", json=admin)
    if signed_in.status_code != 201:
        raise AssertionError(f"sign-in: {signed_in.status_code} {signed_in.text[:300]}")
    door.session = signed_in.json()["session_token"]
    token = door.headers()["authorization"].removeprefix("Bearer ")
    keys = jwt.PyJWKSet.from_dict(door.http.get(f"{door.url}/.well-known/jwks.json").json())
    key = next(k for k in keys.keys if k.key_id == jwt.get_unverified_header(token)["kid"])
    claims = jwt.decode(token, key, algorithms=["EdDSA"], audience="ensemble")
    sources = door.call("GET", "/api/ingest/sources", 200)
    anonymous = door.http.get(f"{door.url}/api/ingest/sources").status_code
    return {
        "first_page": first_run.status_code,
        "setup": opened.status_code,
        "sign_in": signed_in.status_code,
        "roles": claims["roles"],
        "keys": len(keys.keys),
        "service_accepts_token": sources is not None,
        "service_without_token": anonymous,
    }
