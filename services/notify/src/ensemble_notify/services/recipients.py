"""Resolving recipients: which endpoints, people and members an event reaches, on which channels.

This is the seam between events and deliveries. Endpoints are reached by their event filters.
People, teams, on-call people, outside approvers and community members are the targets each
workspace's routing rules name (services/routing_rules.py); each of their notifications then
goes through the attention budget (services/attention.py), which drops, holds or passes it.
Composing the message for each channel comes after (services/composition.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ensemble_notify.channels.templates import LABELS
from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.endpoints import Endpoint
from ensemble_notify.models.inbox import Link
from ensemble_notify.models.members import Member, member_recipient
from ensemble_notify.models.notifications import Notification
from ensemble_notify.models.people import Language, Person
from ensemble_notify.models.teams import Team
from ensemble_notify.services.attention import AttentionBudget, Resolved
from ensemble_notify.services.members import MemberDirectory
from ensemble_notify.services.routing_rules import (
    RoutingRuleService,
    Target,
    names_roles,
    targets,
)
from ensemble_notify.services.unsubscribe import MEMBER_PAGE
from ensemble_notify.storage import EndpointRepository, PeopleRepository
from ensemble_notify.storage.teams import TeamRepository
from ensemble_shared.events import Event, MemberData, RsvpData, SubmissionStatusChangedData, utcnow


@dataclass(frozen=True)
class Named:
    """A recipient an event names: a person of the directory, or an outside address."""

    person: str
    links: tuple[Link, ...] = ()
    email: str | None = None  # an outside approver, reached only by email
    name: str | None = None
    external: bool = False  # known to the producer only: no inbox unless in the directory


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def decision_links(link: Mapping[str, Any], language: Language) -> tuple[Link, ...]:
    """Approve / reject buttons from one signed link.

    `approve_url` / `reject_url` are used when the producer gives them; otherwise the one
    `url` (GET shows the item, POST decides) opens with the decision preselected, so a
    click never decides by itself through a prefetching mail scanner.
    """
    labels = LABELS[language]
    url = str(link["url"])
    approve = link.get("approve_url") or with_query(url, decision="approve")
    reject = link.get("reject_url") or with_query(url, decision="reject")
    return (
        Link(action="approve", label=labels["approve"], url=str(approve), style="primary"),
        Link(action="reject", label=labels["reject"], url=str(reject), style="danger"),
    )


DECISIONS = frozenset({"approve", "reject"})


def localized(links: Iterable[Link], language: Language) -> tuple[Link, ...]:
    """Labels in the person's language; a decision button's page opens in it too (`lang`),
    in a browser where they are not signed in as much as in their own."""
    return tuple(
        link.model_copy(
            update={
                "label": LABELS[language].get(link.action, link.label),
                "url": with_query(link.url, lang=language)
                if link.action in DECISIONS
                else link.url,
            }
        )
        for link in links
    )


def endpoint_notifications(event: Event, endpoints: Iterable[Endpoint]) -> list[Notification]:
    return [
        Notification(
            event=event,
            channel=endpoint.channel,
            recipient_kind="endpoint",
            recipient=endpoint.id,
            address=endpoint.url,
            language=endpoint.language,
        )
        for endpoint in endpoints
        if endpoint.wants(event.type)
    ]


def person_notifications(event: Event, named: Named, person: Person | None) -> list[Notification]:
    """In-app always for a directory person (or any Ensemble user named by id), plus every
    address the directory holds; an outside approver gets email at the address given."""
    if person is None and named.external:
        if not named.email:
            return []
        return [
            Notification(
                event=event,
                channel=ChannelName.EMAIL,
                recipient=named.person,
                address=named.email,
                name=named.name,
                links=named.links,
            )
        ]
    language: Language = person.language if person else "en"
    common = {
        "event": event,
        "recipient": named.person,
        "language": language,
        "name": person.name if person else named.name,
        "links": localized(named.links, language),
    }
    found = [Notification(channel=ChannelName.IN_APP, address=named.person, **common)]
    if person is not None:
        for channel, address in (
            (ChannelName.EMAIL, person.email or named.email),
            (ChannelName.SLACK, person.slack_webhook_url),
            (ChannelName.TEAMS, person.teams_webhook_url),
        ):
            if address:
                found.append(Notification(channel=channel, address=address, **common))
    return found


def member_notifications(
    event: Event, member: Member | None, feedback_url: str | None, console_url: str | None = None
) -> list[Notification]:
    """Email to a member who still consents to this kind of news (re-checked here: the
    audience was computed upstream, the member may have unsubscribed since), at an address
    they proved: an unproven one gets nothing but its confirmation link."""
    if member is None or not member.email or not member.email_verified:
        return []
    if not member.consents_to(event.type):
        return []
    path = member.unsubscribe_path(event.type)
    return [
        Notification(
            event=event,
            channel=ChannelName.EMAIL,
            recipient=member_recipient(member.member_id),
            address=member.email,
            language=member.language,
            name=member.display_name,
            links=portal_links(event, console_url, member.language),
            unsubscribe_url=f"{feedback_url.rstrip('/')}{path}" if feedback_url and path else None,
            unsubscribe_page=member_page(console_url, path),
        )
    ]


def portal_links(event: Event, console_url: str | None, language: Language) -> tuple[Link, ...]:
    """Where a member sees what the news is about: the idea or the field event's page on the
    community portal (public pages; the member's own place shows once signed in)."""
    data = event.data
    if not console_url:
        return ()
    if isinstance(data, SubmissionStatusChangedData):
        page, label = f"ideas/{data.submission_id}", "idea"
    elif isinstance(data, RsvpData):
        page, label = f"events/{data.event_id}", "event"
    else:
        return ()
    url = f"{console_url.rstrip('/')}/c/{event.workspace}/{page}"
    return (Link(action="open", label=LABELS[language][label], url=url, style="primary"),)


def address_check(event: Event, feedback_url: str | None) -> Notification | None:
    """The confirmation link feedback asks for when a member gives a new address: the one
    message that address gets before it is proven (feedback's page confirms it, on POST)."""
    data = event.data
    if not isinstance(data, MemberData) or not data.email or not data.verify_email_path:
        return None
    if not feedback_url:
        return None
    url = f"{feedback_url.rstrip('/')}{data.verify_email_path}"
    label = LABELS[data.language]["confirm"]
    confirm = Link(action="confirm", label=label, url=url, style="primary")
    return Notification(
        event=event,
        channel=ChannelName.EMAIL,
        recipient=member_recipient(data.member_id),
        address=data.email,
        language=data.language,
        name=data.display_name,
        links=(confirm,),
    )


def member_page(console_url: str | None, path: str | None) -> str | None:
    """The console's page for feedback's link (`/unsubscribe?token=…`): same token."""
    token = dict(parse_qsl(urlsplit(path).query)).get("token") if path else None
    if not console_url or not token:
        return None
    return f"{console_url.rstrip('/')}{MEMBER_PAGE}{token}"


def named(target: Target) -> Named:
    """A rule's target as the recipient it names, with decision buttons from its own link."""
    link = target.approval_link
    return Named(
        person=target.id,
        links=decision_links(link, "en") if link is not None else (),
        email=target.email,
        name=target.name,
        external=target.kind == "external",
    )


class RecipientResolver:
    """Endpoint filters, plus the people and members each workspace's routing rules name,
    through the attention budget."""

    def __init__(
        self,
        *,
        endpoints: EndpointRepository,
        people: PeopleRepository,
        teams: TeamRepository,
        members: MemberDirectory,
        rules: RoutingRuleService,
        attention: AttentionBudget,
        feedback_url: str | None = None,
        console_url: str | None = None,
    ) -> None:
        self._endpoints = endpoints
        self._people = people
        self._teams = teams
        self._members = members
        self._rules = rules
        self._attention = attention
        self._feedback_url = feedback_url
        self._console_url = console_url

    async def resolve(self, events: Sequence[Event]) -> list[Notification]:
        workspaces = {e.workspace for e in events}
        endpoints = await self._endpoints.enabled_by_workspace(workspaces)
        rules = await self._rules.for_workspaces(workspaces)
        teams = await self._teams.by_workspace(workspaces)
        for workspace, placed in (await self._people.team_members(workspaces)).items():
            known = teams.setdefault(workspace, {})
            for name, ids in placed.items():
                known[name] = (known.get(name) or Team(name=name, workspace=workspace)).joined(ids)
        data = {event.id: event.data.model_dump(mode="json") for event in events}
        by_role = await self._people.role_holders(
            {e.workspace for e in events if names_roles(data[e.id])}
        )
        now = utcnow()
        found = {
            event.id: targets(
                event.type,
                data[event.id],
                rules[event.workspace],
                teams.get(event.workspace, {}),
                now,
                by_role.get(event.workspace, {}),
            )
            for event in events
        }
        people = await self._people.many(
            (event.workspace, t.id)
            for event in events
            for t in found[event.id]
            if t.kind != "member"
        )
        members: dict[str, dict[str, Member]] = {}
        for workspace in workspaces:
            ids = [
                t.id
                for event in events
                if event.workspace == workspace
                for t in found[event.id]
                if t.kind == "member"
            ]
            members[workspace] = await self._members.many(workspace, ids) if ids else {}
        notifications: list[Notification] = []
        resolved: list[Resolved] = []
        for event in events:
            notifications.extend(endpoint_notifications(event, endpoints.get(event.workspace, ())))
            for target in found[event.id]:
                if target.kind == "member":
                    member = members[event.workspace].get(target.id)
                    resolved.extend(
                        Resolved(n)
                        for n in member_notifications(
                            event, member, self._feedback_url, self._console_url
                        )
                    )
                    continue
                person = people.get((event.workspace, target.id))
                for notification in person_notifications(event, named(target), person):
                    if target.channels is not None and notification.channel not in target.channels:
                        continue
                    resolved.append(Resolved(notification, person, target.urgent))
        return notifications + await self._attention.plan(resolved, now)
