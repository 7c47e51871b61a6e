"""Scheduler's API: signed approval links (no account needed), and the workspace's content,
approvals and calendar with the person's access token (the staff console adds calls here)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any

from ensemble_console.clients.base import ApiError, Caller, WorkspaceClient, segment
from ensemble_console.models.scheduler import (
    Approval,
    AwaitingPage,
    CalendarPage,
    CommentPage,
    ContentItem,
    ContentPage,
    Crisis,
    FeedLink,
    LinkDecided,
    LinkView,
    Policy,
    PolicyChoice,
    Publication,
    QueueItem,
    Scheduled,
    SlotPlan,
    StepDeadline,
    Version,
)
from ensemble_console.models.scheduler_admin import (
    AnswerTemplate,
    ChannelAccount,
    Connection,
    ConnectionStarted,
    CrisisView,
    FeedLinkRecord,
    Job,
    JobPage,
    JobRun,
    OAuthPlatform,
    PolicyPage,
    ReleaseResult,
)


class SchedulerClient(WorkspaceClient):
    service = "scheduler"

    async def decision_link(self, token: str) -> LinkView:
        """What a decision link asks (410 used/expired/superseded, 401 forged); reads only."""
        return self.parse(LinkView, await self.call("GET", f"/approval-links/{token}"))

    async def decide_by_link(self, token: str, decision: str, comment: str | None) -> LinkDecided:
        body = {"decision": decision, "comment": comment}
        answer = await self.call("POST", f"/approval-links/{token}", json=body)
        return self.parse(LinkDecided, answer)

    # --- the staff console: content, approvals, calendar (the person's token) ---------------

    async def draft_reply(
        self, caller: Caller, workspace: str, mention_id: str, channel: str, body: str
    ) -> ContentItem:
        """A reply to a mention, as a draft (version 1); approval is requested apart."""
        draft = {
            "kind": "reply",
            "channel": channel,
            "body": body,
            "reply_to": {"mention_id": mention_id},
        }
        answer = await self.as_person(caller, workspace, "POST", "/content", json=draft)
        return self.parse(ContentItem, answer)

    async def crises(self, caller: Caller, workspace: str, *, limit: int) -> list[Crisis]:
        """Negative spikes, newest first."""
        answer = await self.as_person(caller, workspace, "GET", "/crises", params={"limit": limit})
        return self.parse_list(Crisis, answer)

    async def contents(
        self,
        caller: Caller,
        workspace: str,
        *,
        cursor: str | None = None,
        limit: int = 50,
        mention_id: str | None = None,
    ) -> ContentPage:
        """Items, newest first; the replies to one mention when `mention_id` is given."""
        params = {"cursor": cursor, "limit": limit, "mention_id": mention_id}
        answer = await self.as_person(caller, workspace, "GET", "/content", params=params)
        return self.parse(ContentPage, answer)

    async def awaiting(
        self, caller: Caller, workspace: str, *, cursor: str | None = None, limit: int = 50
    ) -> AwaitingPage:
        """The items whose open step awaits this person's decision, soonest due first."""
        params = {"cursor": cursor, "limit": limit}
        answer = await self.as_person(
            caller, workspace, "GET", "/approvals/awaiting-me", params=params
        )
        return self.parse(AwaitingPage, answer)

    async def content(self, caller: Caller, workspace: str, content_id: str) -> ContentItem:
        answer = await self.as_person(caller, workspace, "GET", f"/content/{segment(content_id)}")
        return self.parse(ContentItem, answer)

    async def create_content(
        self, caller: Caller, workspace: str, fields: dict[str, Any]
    ) -> ContentItem:
        answer = await self.as_person(caller, workspace, "POST", "/content", json=fields)
        return self.parse(ContentItem, answer)

    async def edit_content(
        self, caller: Caller, workspace: str, content_id: str, changes: dict[str, Any]
    ) -> ContentItem:
        """A new version (409 when `base_version` is not the latest any more)."""
        path = f"/content/{segment(content_id)}"
        answer = await self.as_person(caller, workspace, "PATCH", path, json=changes)
        return self.parse(ContentItem, answer)

    async def versions(self, caller: Caller, workspace: str, content_id: str) -> list[Version]:
        """Versions oldest first (the first 100: an item rarely has more)."""
        path = f"/content/{segment(content_id)}/versions"
        answer = await self.as_person(caller, workspace, "GET", path, params={"limit": 100})
        return self.parse_list(Version, answer)

    async def comments(self, caller: Caller, workspace: str, content_id: str) -> CommentPage:
        path = f"/content/{segment(content_id)}/comments"
        answer = await self.as_person(caller, workspace, "GET", path, params={"limit": 100})
        return self.parse(CommentPage, answer)

    async def comment(self, caller: Caller, workspace: str, content_id: str, body: str) -> None:
        path = f"/content/{segment(content_id)}/comments"
        await self.as_person(caller, workspace, "POST", path, json={"body": body})

    async def approval(self, caller: Caller, workspace: str, content_id: str) -> Approval | None:
        """The workflow's state; None while approval was never asked."""
        answer = await _absent_or(
            self.as_person(caller, workspace, "GET", f"/content/{segment(content_id)}/approval"),
            (404,),
        )
        if answer is None:
            return None
        return self.parse(Approval, answer)

    async def policy_preview(
        self, caller: Caller, workspace: str, content_id: str
    ) -> PolicyChoice | None:
        """The policy a request would follow now; None when no policy matches."""
        path = f"/content/{segment(content_id)}/approval-policy"
        answer = await _absent_or(self.as_person(caller, workspace, "GET", path), (404, 409, 422))
        if answer is None:
            return None
        return self.parse(PolicyChoice, answer)

    async def policy(self, caller: Caller, workspace: str, name: str) -> Policy | None:
        answer = await _absent_or(
            self.as_person(caller, workspace, "GET", f"/approval-policies/{segment(name)}"),
            (404, 422),
        )
        if answer is None:
            return None
        return self.parse(Policy, answer)

    async def deadlines(
        self, caller: Caller, workspace: str, content_id: str
    ) -> list[StepDeadline]:
        path = f"/content/{segment(content_id)}/approval/deadlines"
        answer = await _absent_or(self.as_person(caller, workspace, "GET", path), (404,))
        if answer is None:
            return []
        return self.parse_list(StepDeadline, answer)

    async def request_approval(
        self, caller: Caller, workspace: str, content_id: str, comment: str | None
    ) -> Approval:
        path = f"/content/{segment(content_id)}/approval"
        answer = await self.as_person(caller, workspace, "POST", path, json={"comment": comment})
        return self.parse(Approval, answer)

    async def decide(
        self, caller: Caller, workspace: str, content_id: str, decision: dict[str, Any]
    ) -> Approval:
        """The person decides as themselves (`step`, `decision`, `comment`, `version`)."""
        path = f"/content/{segment(content_id)}/approval/decisions"
        answer = await self.as_person(caller, workspace, "POST", path, json=decision)
        return self.parse(Approval, answer)

    async def calendar(
        self, caller: Caller, workspace: str, start: datetime, end: datetime
    ) -> CalendarPage:
        params = {"from": start.isoformat(), "to": end.isoformat(), "limit": 500}
        answer = await self.as_person(caller, workspace, "GET", "/calendar", params=params)
        return self.parse(CalendarPage, answer)

    async def queue(self, caller: Caller, workspace: str) -> list[QueueItem]:
        """Approved items waiting for a slot, newest first (50 at most)."""
        params = {"limit": 50}
        answer = await self.as_person(caller, workspace, "GET", "/calendar/queue", params=params)
        return self.parse_list(QueueItem, answer)

    async def slot_plans(self, caller: Caller, workspace: str) -> list[SlotPlan]:
        answer = await self.as_person(caller, workspace, "GET", "/calendar/channels")
        return self.parse_list(SlotPlan, answer)

    async def schedule(
        self, caller: Caller, workspace: str, content_id: str, slot: datetime | None
    ) -> Scheduled:
        """At `slot`, or (None) the channel's next free slot; the API's rules apply."""
        body = {"slot": slot.isoformat() if slot else "next"}
        path = f"/content/{segment(content_id)}/schedule"
        answer = await self.as_person(caller, workspace, "POST", path, json=body)
        return self.parse(Scheduled, answer)

    async def schedule_of(
        self, caller: Caller, workspace: str, content_id: str
    ) -> Scheduled | None:
        path = f"/content/{segment(content_id)}/schedule"
        answer = await _absent_or(self.as_person(caller, workspace, "GET", path), (404,))
        if answer is None:
            return None
        return self.parse(Scheduled, answer)

    async def publication(
        self, caller: Caller, workspace: str, content_id: str
    ) -> Publication | None:
        path = f"/content/{segment(content_id)}/publication"
        answer = await _absent_or(self.as_person(caller, workspace, "GET", path), (404,))
        if answer is None:
            return None
        return self.parse(Publication, answer)

    async def feed_link(self, caller: Caller, workspace: str, team: str | None = None) -> FeedLink:
        """A new signed .ics URL (the workspace's, or one team's channels): shown once."""
        body = {"team": team} if team else {}
        answer = await self.as_person(caller, workspace, "POST", "/calendar/feed-links", json=body)
        return self.parse(FeedLink, answer)

    async def feed_links(self, caller: Caller, workspace: str) -> list[FeedLinkRecord]:
        """Links handed out, newest 100 (an admin sees the workspace's, others their own)."""
        params = {"limit": 100}
        answer = await self.as_person(
            caller, workspace, "GET", "/calendar/feed-links", params=params
        )
        return self.parse_list(FeedLinkRecord, answer)

    async def revoke_feed_link(self, caller: Caller, workspace: str, link_id: str) -> None:
        path = f"/calendar/feed-links/{segment(link_id)}"
        await self.as_person(caller, workspace, "DELETE", path)

    # --- what admins configure: policies, channels, answer templates; crises -------------

    async def policies(
        self, caller: Caller, workspace: str, *, cursor: str | None = None
    ) -> PolicyPage:
        params = {"cursor": cursor, "limit": 100}
        answer = await self.as_person(caller, workspace, "GET", "/approval-policies", params=params)
        return self.parse(PolicyPage, answer)

    async def delete_policy(self, caller: Caller, workspace: str, name: str) -> None:
        """404 when no policy has this name."""
        await self.as_person(caller, workspace, "DELETE", f"/approval-policies/{segment(name)}")

    async def put_policy(
        self, caller: Caller, workspace: str, name: str, body: dict[str, Any]
    ) -> Policy:
        """Creates or replaces the policy (admins; 422 with the fields at fault)."""
        path = f"/approval-policies/{segment(name)}"
        return self.parse(Policy, await self.as_person(caller, workspace, "PUT", path, json=body))

    async def slot_plan(self, caller: Caller, workspace: str, channel: str) -> SlotPlan | None:
        path = f"/calendar/channels/{segment(channel)}"
        answer = await _absent_or(self.as_person(caller, workspace, "GET", path), (404, 422))
        return None if answer is None else self.parse(SlotPlan, answer)

    async def put_slot_plan(
        self, caller: Caller, workspace: str, channel: str, body: dict[str, Any]
    ) -> SlotPlan:
        path = f"/calendar/channels/{segment(channel)}"
        return self.parse(SlotPlan, await self.as_person(caller, workspace, "PUT", path, json=body))

    async def channel_account(
        self, caller: Caller, workspace: str, channel: str
    ) -> ChannelAccount | None:
        """Where the channel publishes (never its token or secret); None when not set."""
        path = f"/publishing/channels/{segment(channel)}"
        answer = await _absent_or(self.as_person(caller, workspace, "GET", path), (404, 422))
        return None if answer is None else self.parse(ChannelAccount, answer)

    async def put_channel_account(
        self, caller: Caller, workspace: str, channel: str, body: dict[str, Any]
    ) -> ChannelAccount:
        path = f"/publishing/channels/{segment(channel)}"
        answer = await self.as_person(caller, workspace, "PUT", path, json=body)
        return self.parse(ChannelAccount, answer)

    async def oauth_platforms(self, caller: Caller, workspace: str) -> list[OAuthPlatform]:
        answer = await self.as_person(caller, workspace, "GET", "/publishing/oauth-platforms")
        return self.parse_list(OAuthPlatform, answer)

    async def start_connection(
        self, caller: Caller, workspace: str, channel: str, body: dict[str, Any]
    ) -> ConnectionStarted:
        """The provider's authorize URL; the state is bound to this person and channel."""
        path = f"/publishing/channels/{segment(channel)}/connections"
        answer = await self.as_person(caller, workspace, "POST", path, json=body)
        return self.parse(ConnectionStarted, answer)

    async def connection_code(
        self, caller: Caller, workspace: str, state: str, code: str
    ) -> Connection:
        """The provider's code exchanged (once) into a pending connection."""
        path = f"/publishing/connections/{segment(state)}/code"
        answer = await self.as_person(caller, workspace, "POST", path, json={"code": code})
        return self.parse(Connection, answer)

    async def connection(self, caller: Caller, workspace: str, state: str) -> Connection:
        path = f"/publishing/connections/{segment(state)}"
        return self.parse(Connection, await self.as_person(caller, workspace, "GET", path))

    async def use_connection(self, caller: Caller, workspace: str, state: str) -> ChannelAccount:
        path = f"/publishing/connections/{segment(state)}/use"
        return self.parse(ChannelAccount, await self.as_person(caller, workspace, "POST", path))

    async def answer_templates(self, caller: Caller, workspace: str) -> list[AnswerTemplate]:
        answer = await self.as_person(caller, workspace, "GET", "/answer-templates")
        return self.parse_list(AnswerTemplate, answer)

    async def put_answer_template(
        self, caller: Caller, workspace: str, status: str, language: str, body: dict[str, Any]
    ) -> AnswerTemplate:
        path = f"/answer-templates/{segment(status)}/{segment(language)}"
        answer = await self.as_person(caller, workspace, "PUT", path, json=body)
        return self.parse(AnswerTemplate, answer)

    async def crisis(self, caller: Caller, workspace: str, crisis_id: str) -> CrisisView:
        path = f"/crises/{segment(crisis_id)}"
        return self.parse(CrisisView, await self.as_person(caller, workspace, "GET", path))

    async def decide_crisis(
        self, caller: Caller, workspace: str, crisis_id: str, decision: dict[str, Any]
    ) -> list[ReleaseResult]:
        """The person's communication/legal decision on the items the crisis holds."""
        path = f"/crises/{segment(crisis_id)}/decisions"
        answer = await self.as_person(caller, workspace, "POST", path, json=decision)
        return self.parse_list(ReleaseResult, answer)

    async def jobs(self, caller: Caller, workspace: str) -> JobPage:
        answer = await self.as_person(caller, workspace, "GET", "/jobs", params={"limit": 100})
        return self.parse(JobPage, answer)

    async def job(self, caller: Caller, workspace: str, name: str) -> Job | None:
        answer = await _absent_or(
            self.as_person(caller, workspace, "GET", f"/jobs/{segment(name)}"), (404, 422)
        )
        return None if answer is None else self.parse(Job, answer)

    async def job_runs(self, caller: Caller, workspace: str, name: str) -> list[JobRun]:
        path = f"/jobs/{segment(name)}/runs"
        answer = await self.as_person(caller, workspace, "GET", path, params={"limit": 20})
        return self.parse_list(JobRun, answer)

    async def put_job(self, caller: Caller, workspace: str, name: str, body: dict[str, Any]) -> Job:
        path = f"/jobs/{segment(name)}"
        return self.parse(Job, await self.as_person(caller, workspace, "PUT", path, json=body))

    async def delete_job(self, caller: Caller, workspace: str, name: str) -> None:
        """404 when no job has this name; scheduler cancels its next run."""
        await self.as_person(caller, workspace, "DELETE", f"/jobs/{segment(name)}")


async def _absent_or(call: Awaitable[Any], statuses: tuple[int, ...]) -> Any:
    """The call's answer, or None when the API answers one of `statuses` (nothing there)."""
    try:
        return await call
    except ApiError as exc:
        if exc.status in statuses:
            return None
        raise
