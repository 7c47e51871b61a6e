"""Replying on GitHub: issue comments through REST, discussion comments through GraphQL
(docs.github.com: rest/issues/comments, graphql mutation addDiscussionComment).

A GitHub mention is a comment's node id (ingest's external id). Its node (GraphQL `node`) says
where the answer goes: under an issue comment, `POST /repos/{owner}/{repo}/issues/{n}/comments`;
under a discussion comment, `addDiscussionComment` in that comment's thread (GitHub nests one
level, so a reply to a reply joins its top comment's thread). GitHub channels publish replies
only: a post without a thread has nowhere to go and is refused.

The body ends with an HTML comment carrying the publication key (invisible once rendered): an
unknown outcome is settled by finding that key among the thread's comments, never by posting
again. Rate limits: `x-ratelimit-*` and the secondary limits (403/429 with `retry-after`) are
honoured by `calls.call`; GraphQL's `RATE_LIMITED` error leaves the outcome unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from ensemble_scheduler.connectors.calls import Failed, call, unexpected
from ensemble_scheduler.models.publishing import (
    Absent,
    ChannelAccount,
    Found,
    Lookup,
    Posted,
    PublicationRequest,
    PublishOutcome,
    Refused,
    Unknown,
    Unreachable,
)

API_VERSION = "2022-11-28"
SKEW = timedelta(minutes=2)
PAGE = 100

WHERE = """query($id: ID!) { node(id: $id) { __typename
  ... on IssueComment { issue { number repository { owner { login } name } } }
  ... on Issue { number repository { owner { login } name } }
  ... on DiscussionComment { id discussion { id } replyTo { id } }
  ... on Discussion { id } } }"""
ADD = """mutation($discussion: ID!, $replyTo: ID, $body: String!) {
  addDiscussionComment(input: {discussionId: $discussion, replyToId: $replyTo, body: $body}) {
    comment { id url } } }"""
THREAD = """query($id: ID!) { node(id: $id) {
  ... on DiscussionComment { replies(last: 100) { nodes { id url body } } }
  ... on Discussion { comments(last: 100) { nodes { id url body } } } } }"""


def marker(key: str) -> str:
    return f"<!-- ensemble:{key} -->"


def body_of(request: PublicationRequest) -> str:
    return f"{request.text}\n\n{marker(request.key)}"


@dataclass(frozen=True)
class IssueThread:
    owner: str
    repo: str
    number: int

    def comments(self) -> str:
        return f"/repos/{self.owner}/{self.repo}/issues/{self.number}/comments"


@dataclass(frozen=True)
class DiscussionThread:
    discussion: str
    top: str | None  # the top-level comment whose thread the answer joins


Thread = IssueThread | DiscussionThread


def thread_of(node: dict[str, Any]) -> Thread:
    """Where an answer to `node` goes; ValueError when it is nothing one answers."""
    kind = node.get("__typename")
    if kind in ("IssueComment", "Issue"):
        issue = node["issue"] if kind == "IssueComment" else node
        repository = issue["repository"]
        return IssueThread(repository["owner"]["login"], repository["name"], int(issue["number"]))
    if kind == "DiscussionComment":
        top = (node.get("replyTo") or {}).get("id") or node["id"]
        return DiscussionThread(node["discussion"]["id"], str(top))
    if kind == "Discussion":
        return DiscussionThread(str(node["id"]), None)
    raise ValueError(f"a {kind or 'missing'} node is not an issue or discussion comment")


def _headers(account: ChannelAccount) -> dict[str, str]:
    token = account.access_token.get_secret_value() if account.access_token else ""
    return {
        "authorization": f"Bearer {token}",
        "accept": "application/vnd.github+json",
        "x-github-api-version": API_VERSION,
    }


def _url(account: ChannelAccount, path: str) -> str:
    return str(account.base_url).rstrip("/") + path


class GitHubConnector:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def _graphql(
        self, account: ChannelAccount, query: str, variables: dict[str, Any]
    ) -> dict[str, Any]:
        answer = await call(
            self._http,
            "POST",
            _url(account, "/graphql"),
            json={"query": query, "variables": variables},
            headers=_headers(account),
            timeout=account.timeout_seconds,
        )
        if not isinstance(answer, httpx.Response):
            raise Failed(answer)
        if answer.status_code != 200:
            raise Failed(unexpected(answer))
        reply: dict[str, Any] = answer.json()
        errors = reply.get("errors") or []
        if errors:
            first = errors[0]
            reason = f"GraphQL {first.get('type', 'error')}: {first.get('message', '')}"
            raise Failed(
                Unknown(reason) if first.get("type") == "RATE_LIMITED" else Refused(reason)
            )
        data: dict[str, Any] = reply.get("data") or {}
        return data

    async def _thread(self, account: ChannelAccount, node_id: str) -> Thread:
        data = await self._graphql(account, WHERE, {"id": node_id})
        try:
            return thread_of(data.get("node") or {})
        except (ValueError, KeyError, TypeError) as exc:
            raise Failed(Refused(f"in_reply_to {node_id!r}: {exc}")) from None

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        if not request.in_reply_to:
            return Refused("GitHub channels publish replies only (to an issue or discussion)")
        try:
            thread = await self._thread(account, request.in_reply_to)
            if isinstance(thread, DiscussionThread):
                data = await self._graphql(
                    account,
                    ADD,
                    {
                        "discussion": thread.discussion,
                        "replyTo": thread.top,
                        "body": body_of(request),
                    },
                )
                comment = data["addDiscussionComment"]["comment"]
                return Posted(str(comment["id"]), comment.get("url"))
        except Failed as failed:
            return failed.outcome
        except (KeyError, TypeError):
            return Unknown("addDiscussionComment answered without the comment")
        answer = await call(
            self._http,
            "POST",
            _url(account, thread.comments()),
            json={"body": body_of(request)},
            headers=_headers(account),
            timeout=account.timeout_seconds,
        )
        if not isinstance(answer, httpx.Response):
            return answer
        if answer.status_code != 201:
            return unexpected(answer)
        try:
            created = answer.json()
            return Posted(str(created["node_id"]), created.get("html_url"))
        except (ValueError, KeyError, TypeError):
            return Unknown("a success answer without the comment's node id")

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        if not request.in_reply_to:
            return Absent()  # nothing is ever posted without a thread
        wanted = marker(request.key)
        try:
            thread = await self._thread(account, request.in_reply_to)
            if isinstance(thread, DiscussionThread):
                data = await self._graphql(account, THREAD, {"id": thread.top or thread.discussion})
                node = data.get("node") or {}
                nodes = (node.get("replies") or node.get("comments") or {}).get("nodes") or []
                hit = next((c for c in nodes if wanted in str(c.get("body", ""))), None)
                return Found(str(hit["id"]), hit.get("url")) if hit else Absent()
        except Failed as failed:
            return Unreachable(failed.outcome.reason)
        answer = await call(
            self._http,
            "GET",
            _url(account, thread.comments()),
            params={"since": (since - SKEW).isoformat(), "per_page": PAGE},
            headers=_headers(account),
            timeout=account.timeout_seconds,
        )
        if not isinstance(answer, httpx.Response):
            return Unreachable(answer.reason)
        if answer.status_code != 200:
            return Unreachable(f"issue comments: HTTP {answer.status_code}")
        try:
            comments: list[dict[str, Any]] = answer.json()
            hit = next((c for c in comments if wanted in str(c.get("body", ""))), None)
            if hit is not None:
                return Found(str(hit["node_id"]), hit.get("html_url"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return Unreachable(f"{type(exc).__name__}: {exc}")
        if 'rel="next"' in answer.headers.get("link", ""):
            return Unreachable("more comments since the attempt than one page")
        return Absent()
