"""Publishing at the slot, exactly once.

The publish timer of a scheduling fires `fire`. Nothing goes out unless `publishable()` says the
item's latest version is fully approved and no crisis hold is active. Each try is an attempt
claimed by a unique-key insert *before* the platform is called, so two replicas never both
call it; the post id is recorded (insert-only, first wins, content.published rides on that
insert) the moment it is known. An attempt without an outcome is unknown: it is settled by
asking the platform (`reconcile`), and only a platform that answers "no such post", once the
attempt is old enough that the request cannot still be in flight, lets a new attempt post —
under the same idempotency key.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from ensemble_scheduler.connectors import Connector
from ensemble_scheduler.models.calendar import PUBLISH, ScheduleEntry, publish_timer
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.models.publishing import (
    Absent,
    Attempt,
    ChannelAccount,
    Found,
    Posted,
    PublicationRequest,
    PublicationResult,
    PublicationView,
    Refused,
    Unknown,
)
from ensemble_scheduler.models.timers import Timer
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.ports import Holds, Timers
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_scheduler.services.workflow import publishable
from ensemble_scheduler.storage.accounts import ChannelAccountRepository
from ensemble_scheduler.storage.calendar import CalendarRepository
from ensemble_scheduler.storage.content import ContentRepository
from ensemble_scheduler.storage.publishing import PublicationRepository
from ensemble_shared.errors import NotFound
from ensemble_shared.events import Source, envelope, new_id, utcnow
from ensemble_shared.events.content import (
    ContentPublishedData,
    ContentPublishedV1,
    ContentPublishFailedV1,
    PublishFailureData,
)

log = logging.getLogger(__name__)


def publication_key(content_id: str, version: int) -> str:
    """The attempt key sent as Idempotency-Key / webhook-id: the same for every attempt at the
    same approved version, so the platform itself folds a repeat into the first post."""
    return f"ensemble-{content_id}-v{version}"


def elsewhere_reason(version: ContentVersion, account: ChannelAccount) -> str | None:
    """Why a reply cannot go out through this account (None when it can): a reply goes under
    its mention, so only the mention's own platform (or a webhook, which forwards anything)
    can publish it."""
    target = version.fields.reply_to
    platform = target.platform if target is not None else None
    if platform is None or account.connector in (platform, "webhook"):
        return None
    return (
        f"a reply to a {platform} mention goes out on {platform}; channel "
        f"{account.channel!r} publishes to {account.connector}"
    )


def reconcile_decision(lookup: object, *, age: timedelta, settle_after: timedelta) -> str:
    """What an unknown attempt becomes after asking the platform: `found` (record it),
    `absent` (may post again: the platform says no and the request cannot be in flight any
    more), or `wait` (ask again later)."""
    if isinstance(lookup, Found):
        return "found"
    if isinstance(lookup, Absent) and age >= settle_after:
        return "absent"
    return "wait"


RECHECK_FIRST = timedelta(seconds=5)
RECHECK_LONGEST = timedelta(hours=1)
RECHECK_FOR = timedelta(days=7)


def recheck_delay(age: timedelta) -> timedelta | None:
    """When to look again at an attempt of this age whose outcome is unknown: as long again
    as it has been (5 s at first, an hour at most), so a few quick looks then hourly ones;
    None after a week, which the stuck-publishing job's window also ends with."""
    if age > RECHECK_FOR:
        return None
    return min(max(age, RECHECK_FIRST), RECHECK_LONGEST)


def publish_failed(
    entry: ScheduleEntry, code: str, reason: str, *, attempt: int | None = None
) -> ContentPublishFailedV1:
    """content.publish_failed for a scheduling: refused by the platform (an attempt), or
    stopped at the gate (not approved, no connector)."""
    return ContentPublishFailedV1(
        **envelope(Source.SCHEDULER, entry.workspace, entry.content_id),
        data=PublishFailureData(
            content_id=entry.content_id,
            channel=entry.channel,
            code=code,
            reason=reason,
            slot_at=entry.slot_at,
            attempt=attempt,
        ),
    )


class PublishingService:
    """Handles the publish timers (registered when built)."""

    def __init__(
        self,
        publications: PublicationRepository,
        accounts: ChannelAccountRepository,
        calendar: CalendarRepository,
        content: ContentRepository,
        approvals: ApprovalService,
        targets: ReplyTargetService,
        holds: Holds,
        connectors: Mapping[str, Connector],
        timers: Timers,
        *,
        settle_after: timedelta,
        owner: str | None = None,
    ) -> None:
        self._publications = publications
        self._accounts = accounts
        self._calendar = calendar
        self._content = content
        self._approvals = approvals
        self._targets = targets
        self._holds = holds
        self._connectors = connectors
        self._settle_after = settle_after
        self._timers = timers
        self._owner = owner or new_id()
        timers.on(PUBLISH, self.fire)

    # --- firing --------------------------------------------------------------------------

    async def fire(self, timer: Timer) -> None:
        """The publish timer's handler: idempotent, stale timers are no-ops."""
        content_id = str(timer.payload.get("content_id", ""))
        sequence = int(timer.payload.get("sequence", 0))
        entry = await self._calendar.current(timer.workspace, content_id)
        if entry is None or entry.sequence != sequence:
            log.info("publish timer %s is stale (the item moved)", timer.timer_id)
            return
        outcome = await self.publish(entry)
        log.info("publish %s (scheduling %s): %s", content_id, sequence, outcome)
        if outcome in ("in_flight", "unknown"):
            await self._ask_again(entry)

    async def _ask_again(self, entry: ScheduleEntry) -> None:
        """An attempt whose outcome is still unknown (its answer lost, the platform not
        answering the look-up, or another replica at it) is looked at again by the same
        timer, later and later, so it settles without waiting for the stuck-publishing job."""
        attempts = await self._publications.attempts_of(entry.content_id)
        if not attempts:
            return
        now = utcnow()
        delay = recheck_delay(now - attempts[-1].started_at)
        if delay is None:
            log.warning("publishing %s: still unknown after a week", entry.content_id)
            return
        await self._timers.schedule(publish_timer(entry).model_copy(update={"due_at": now + delay}))

    async def publish(self, entry: ScheduleEntry) -> str:
        """Publish a scheduled item now if it may go out. Returns what happened: published,
        held, not_approved, no_connector, refused, in_flight, unknown."""
        workspace, content_id = entry.workspace, entry.content_id
        if await self._publications.result(workspace, content_id) is not None:
            return "published"
        if await self._holds.holds_back(workspace, content_id):
            return "held"  # releasing the hold re-arms the timer
        latest = await self._content.latest(workspace, content_id)
        if latest is None:
            return "not_approved"
        verdict = publishable(latest, await self._approvals.state_of(workspace, content_id))
        if not verdict:
            await self._gate_failure(entry, "not_approved", verdict.reason)
            return "not_approved"
        account = await self._accounts.account(workspace, entry.channel)
        connector = self._connectors.get(account.connector) if account else None
        if account is None or connector is None:
            await self._gate_failure(
                entry, "no_connector", f"channel {entry.channel!r} has no publishing account"
            )
            return "no_connector"
        elsewhere = elsewhere_reason(latest, account)
        if elsewhere is not None:
            await self._gate_failure(entry, "no_connector", elsewhere)
            return "no_connector"
        attempts = await self._publications.attempts_of(content_id)
        outcomes = await self._publications.outcomes_of(content_id)
        last = attempts[-1] if attempts else None
        if last is not None and last.number not in outcomes:
            return await self._reconcile(last)  # unknown: never post again before asking
        if (
            last is not None
            and outcomes[last.number][0] == "refused"
            and (last.sequence, last.version) == (entry.sequence, latest.version)
        ):
            return "refused"  # for good; a new slot or a new version tries again
        request = await self._request(latest, account)
        attempt = Attempt(
            content_id=content_id,
            workspace=workspace,
            number=last.number + 1 if last else 1,
            sequence=entry.sequence,
            version=latest.version,
            key=request.key,
            channel=entry.channel,
            connector=account.connector,
            started_at=utcnow(),
            owner=self._owner,
        )
        if not await self._publications.claim_attempt(attempt):
            return "in_flight"  # another replica is at it
        outcome = await connector.publish(account, request)
        if isinstance(outcome, Posted):
            await self._record(attempt, account, request, outcome.post_id, outcome.url, False)
            return "published"
        if isinstance(outcome, Refused):
            event = publish_failed(entry, "refused", outcome.reason, attempt=attempt.number)
            await self._publications.insert_outcome(
                attempt, "refused", outcome.reason, at=utcnow(), events=[event]
            )
            return "refused"
        assert isinstance(outcome, Unknown)
        log.warning("publishing %s: outcome unknown (%s); asking the platform", content_id, outcome)
        return await self._reconcile(attempt)

    async def _request(
        self, version: ContentVersion, account: ChannelAccount
    ) -> PublicationRequest:
        in_reply_to: str | None = None
        target = version.fields.reply_to
        known = None
        if target is not None:
            if target.mention_id:
                known = await self._targets.get(version.workspace, target.mention_id)
            in_reply_to = target.external_id or (known.external_id if known else None)
        return PublicationRequest(
            key=publication_key(version.content_id, version.version),
            content_id=version.content_id,
            workspace=version.workspace,
            channel=version.fields.channel,
            version=version.version,
            kind=version.kind,
            text=version.fields.outgoing_text(),
            title=version.fields.title,
            in_reply_to=in_reply_to,
            visibility=account.visibility,
            media=tuple(str(m) for m in version.fields.media),
            answers_mention=known is not None,
            mention_parent=known.parent if known else None,
        )

    async def _record(
        self,
        attempt: Attempt,
        account: ChannelAccount,
        request: PublicationRequest,
        post_id: str,
        url: str | None,
        reconciled: bool,
    ) -> None:
        result = PublicationResult(
            content_id=attempt.content_id,
            workspace=attempt.workspace,
            channel=attempt.channel,
            platform=account.connector,
            platform_post_id=post_id,
            url=url,
            attempt=attempt.number,
            version=attempt.version,
            reconciled=reconciled,
            at=utcnow(),
        )
        event = ContentPublishedV1(
            **envelope(Source.SCHEDULER, attempt.workspace, attempt.content_id),
            data=ContentPublishedData(
                content_id=attempt.content_id,
                channel=attempt.channel,
                platform_post_id=post_id,
                url=url,
                platform=account.connector,
                version=attempt.version,
                in_reply_to=request.in_reply_to,
                attempt=attempt.number,
                reconciled=reconciled,
            ),
        )
        await self._publications.insert_result(result, [event])

    async def _gate_failure(self, entry: ScheduleEntry, code: str, reason: str) -> None:
        event = publish_failed(entry, code, reason)
        await self._publications.insert_gate_failure(
            entry.workspace, entry.content_id, entry.sequence, reason, [event]
        )

    # --- unknown outcomes ----------------------------------------------------------------

    async def _reconcile(self, attempt: Attempt) -> str:
        account = await self._accounts.account(attempt.workspace, attempt.channel)
        connector = self._connectors.get(attempt.connector)
        version = await self._content.version(
            attempt.workspace, attempt.content_id, attempt.version
        )
        if account is None or connector is None or version is None:
            return "unknown"
        request = await self._request(version, account)
        lookup = await connector.find(account, request, since=attempt.started_at)
        decision = reconcile_decision(
            lookup, age=utcnow() - attempt.started_at, settle_after=self._settle_after
        )
        if decision == "found":
            assert isinstance(lookup, Found)
            await self._record(attempt, account, request, lookup.post_id, lookup.url, True)
            return "published"
        if decision == "absent":
            await self._publications.insert_outcome(
                attempt, "absent", "the platform holds no such post", at=utcnow()
            )
            entry = await self._calendar.current(attempt.workspace, attempt.content_id)
            return await self.publish(entry) if entry is not None else "unknown"
        return "unknown"

    async def reconcile_stuck(self, workspace: str, older_than: timedelta) -> dict[str, str]:
        """The stuck-publishing detector: the workspace's attempts in flight longer than
        `older_than` (within the last week) are settled by asking the platform. content id →
        what happened. Never another workspace's: its items are not ours to settle or name."""
        now = utcnow()
        stuck = await self._publications.in_flight(
            workspace, started_before=now - older_than, since=now - RECHECK_FOR
        )
        settled: dict[str, str] = {}
        for attempt in stuck:
            try:
                settled[attempt.content_id] = await self._reconcile(attempt)
            except Exception:  # one platform's trouble must not stop the sweep
                log.exception("reconciling %s failed", attempt.content_id)
                settled[attempt.content_id] = "error"
        return settled

    async def stuck_check(self, workspace: str, scheduled_for: datetime) -> None:
        """The `publishing.stuck_check` job of a workspace: its attempts in flight past the
        settle time are settled by asking the platform."""
        settled = await self.reconcile_stuck(workspace, self._settle_after)
        log.info("stuck-publishing check (%s): %s", workspace, settled or "nothing stuck")

    async def view(self, workspace: str, content_id: str) -> PublicationView:
        if await self._content.latest(workspace, content_id) is None:
            raise NotFound(f"no content item {content_id!r}")
        result = await self._publications.result(workspace, content_id)
        attempts = await self._publications.attempts_of(content_id)
        if result is not None:
            return PublicationView(
                content_id=content_id,
                status="published",
                platform_post_id=result.platform_post_id,
                url=result.url,
                attempts=len(attempts),
            )
        if not attempts:
            return PublicationView(content_id=content_id, status="not_attempted", attempts=0)
        outcomes = await self._publications.outcomes_of(content_id)
        last = attempts[-1]
        if last.number not in outcomes:
            return PublicationView(
                content_id=content_id, status="in_flight", attempts=len(attempts)
            )
        kind, reason = outcomes[last.number]
        return PublicationView(
            content_id=content_id,
            status="refused" if kind == "refused" else "in_flight",
            attempts=len(attempts),
            reason=reason,
        )
