"""The services route handlers use, as `Annotated` dependencies declared once.

`wiring.wire` puts the process's one `Scheduler` (every service, built once) on
`app.state.scheduler`; each alias hands a route one of its services. The caller is the
`Principal` of `ensemble_shared.web.auth` (Admin, Manager, Internal), the same in every route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from ensemble_scheduler.services.accounts import ChannelAccountService
from ensemble_scheduler.services.answers import AnswerService
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.awaiting import AwaitingService
from ensemble_scheduler.services.calendar import CalendarService
from ensemble_scheduler.services.connections import ConnectionService
from ensemble_scheduler.services.content import ContentService
from ensemble_scheduler.services.crisis import CrisisService
from ensemble_scheduler.services.deadlines import DeadlineService
from ensemble_scheduler.services.feeds import FeedLinks
from ensemble_scheduler.services.jobs import JobService
from ensemble_scheduler.services.link_decisions import LinkDecisionService
from ensemble_scheduler.services.policies import PolicyService
from ensemble_scheduler.services.publishing import PublishingService
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_scheduler.services.timers import TimerService


def _service(name: str) -> Callable[[Request], Awaitable[Any]]:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a hop per request
    async def get(request: Request) -> Any:
        return getattr(request.app.state.scheduler, name)

    return get


Accounts = Annotated[ChannelAccountService, Depends(_service("accounts"))]
Answers = Annotated[AnswerService, Depends(_service("answers"))]
Approvals = Annotated[ApprovalService, Depends(_service("approvals"))]
Awaiting = Annotated[AwaitingService, Depends(_service("awaiting"))]
Calendars = Annotated[CalendarService, Depends(_service("calendar"))]
Connections = Annotated[ConnectionService, Depends(_service("connections"))]
Contents = Annotated[ContentService, Depends(_service("content"))]
Crises = Annotated[CrisisService, Depends(_service("crisis"))]
Deadlines = Annotated[DeadlineService, Depends(_service("deadlines"))]
Feeds = Annotated[FeedLinks, Depends(_service("feeds"))]
Jobs = Annotated[JobService, Depends(_service("jobs"))]
LinkDecisions = Annotated[LinkDecisionService, Depends(_service("link_decisions"))]
Policies = Annotated[PolicyService, Depends(_service("policies"))]
Publishing = Annotated[PublishingService, Depends(_service("publishing"))]
ReplyTargets = Annotated[ReplyTargetService, Depends(_service("reply_targets"))]
Timers = Annotated[TimerService, Depends(_service("timers"))]
