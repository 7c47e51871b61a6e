"""What routes depend on, declared once: each service the wiring built (`app.state.notify`).

The caller comes from ensemble_shared.web.auth (`Admin`, `Manager`, `CurrentPrincipal`) on every
route the same way; routes hand services the workspace and, where it is about them, the
caller's own id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from ensemble_notify.services.address_proofs import AddressProofs
from ensemble_notify.services.breaker import Breakers
from ensemble_notify.services.endpoints import EndpointService
from ensemble_notify.services.inbox import InboxService
from ensemble_notify.services.log import DeliveryLog
from ensemble_notify.services.members import MemberDirectory
from ensemble_notify.services.people import Directory
from ensemble_notify.services.preference_links import PreferenceLinkService
from ensemble_notify.services.preferences import PreferenceService
from ensemble_notify.services.replay import ReplayService
from ensemble_notify.services.routing_rules import RoutingRuleService
from ensemble_notify.services.stream_seats import StreamSeats
from ensemble_notify.services.stream_tickets import StreamTickets
from ensemble_notify.services.teams import Teams
from ensemble_notify.services.unsubscribe import UnsubscribeService
from ensemble_notify.wiring import Notify

T = TypeVar("T")


def _service(pick: Callable[[Notify], T]) -> Callable[[Request], Awaitable[T]]:
    async def dependency(request: Request) -> T:
        notify: Notify = request.app.state.notify
        return pick(notify)

    return dependency


Endpoints = Annotated[EndpointService, Depends(_service(lambda n: n.endpoints))]
CircuitBreakers = Annotated[Breakers, Depends(_service(lambda n: n.breakers))]
Deliveries = Annotated[DeliveryLog, Depends(_service(lambda n: n.delivery_log))]
Replays = Annotated[ReplayService, Depends(_service(lambda n: n.replays))]
People = Annotated[Directory, Depends(_service(lambda n: n.directory))]
TeamDirectory = Annotated[Teams, Depends(_service(lambda n: n.teams))]
Members = Annotated[MemberDirectory, Depends(_service(lambda n: n.members))]
Rules = Annotated[RoutingRuleService, Depends(_service(lambda n: n.routing_rules))]
Prefs = Annotated[PreferenceService, Depends(_service(lambda n: n.preferences))]
Unsubscribe = Annotated[UnsubscribeService, Depends(_service(lambda n: n.unsubscribe))]
PreferenceLink = Annotated[PreferenceLinkService, Depends(_service(lambda n: n.preference_links))]
Inbox = Annotated[InboxService, Depends(_service(lambda n: n.inbox))]
Tickets = Annotated[StreamTickets, Depends(_service(lambda n: n.stream_tickets))]
Seats = Annotated[StreamSeats, Depends(_service(lambda n: n.stream_seats))]
Proofs = Annotated[AddressProofs, Depends(_service(lambda n: n.address_proofs))]
