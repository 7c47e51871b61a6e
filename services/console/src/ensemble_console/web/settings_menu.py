"""The workspace's settings: every screen that configures rather than works, grouped by what
it configures, each shown to the roles that may open it.

The main navigation keeps the screens of the day (inbox, content, calendar, community,
insights, notifications) and one "Settings" entry leading here; a settings screen shows this
menu above its content, so a person moves between settings without going back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ensemble_console.models.identity import Place
from ensemble_console.web.i18n import N_

Who = Literal["staff", "manager", "admin"]


@dataclass(frozen=True)
class Entry:
    label: str
    path: str
    """After `/w/{workspace}/`."""
    who: Who
    about: str


@dataclass(frozen=True)
class Group:
    label: str
    entries: tuple[Entry, ...]


MENU: tuple[Group, ...] = (
    Group(
        N_("Team and access"),
        (
            Entry(
                N_("Members"), "admin/members", "admin", N_("Roles and teams of each colleague.")
            ),
            Entry(N_("Invitations"), "admin/invitations", "admin", N_("Invite colleagues.")),
            Entry(N_("People"), "admin/people", "manager", N_("Who notifications reach.")),
            Entry(N_("Audit log"), "admin/audit", "admin", N_("Who changed what, when.")),
            Entry(
                N_("Workspace"),
                "admin/workspace",
                "admin",
                N_("Its name, default language and member sign-up."),
            ),
        ),
    ),
    Group(
        N_("Listening"),
        (
            Entry(N_("Sources"), "sources", "admin", N_("Connected platforms and their health.")),
            Entry(N_("Triage"), "admin/triage", "admin", N_("Rules, VIPs and spike alerts.")),
            Entry(
                N_("Insights settings"),
                "admin/insights",
                "admin",
                N_("Time zone, reply SLAs, weekly report."),
            ),
        ),
    ),
    Group(
        N_("Publishing and approvals"),
        (
            Entry(N_("Approval policies"), "admin/policies", "admin", N_("Who approves what.")),
            Entry(N_("Channels"), "admin/channels", "admin", N_("Slots and where they publish.")),
            Entry(
                N_("Answer templates"),
                "admin/answer-templates",
                "admin",
                N_("Answers to the community."),
            ),
            Entry(N_("Periodic jobs"), "admin/jobs", "admin", N_("What runs on a schedule.")),
            Entry(N_("Crises"), "crises", "staff", N_("What a spike held, and the decision.")),
            Entry(
                N_("Calendar feeds"),
                "calendar/feed-links",
                "staff",
                N_("The calendar in your calendar app."),
            ),
        ),
    ),
    Group(
        N_("Notifications"),
        (
            Entry(N_("Routing rules"), "admin/routing", "admin", N_("Which events reach whom.")),
            Entry(
                N_("Teams and on-call"),
                "admin/teams",
                "manager",
                N_("Who is in each team, who is on call."),
            ),
            Entry(
                N_("Notification defaults"),
                "admin/notification-defaults",
                "admin",
                N_("Channels everyone starts with."),
            ),
            Entry(N_("Endpoints"), "admin/endpoints", "admin", N_("Integrators' webhooks.")),
            Entry(N_("Delivery log"), "admin/deliveries", "admin", N_("What was sent, replays.")),
        ),
    ),
    Group(
        N_("Community"),
        (
            Entry(
                N_("Engagement weights"),
                "community/engagement",
                "manager",
                N_("What counts in a member's score."),
            ),
        ),
    ),
)


def allowed(place: Place, who: Who) -> bool:
    if who == "admin":
        return place.admin
    if who == "manager":
        return place.admin or "manager" in place.roles
    return place.staff


def menu_for(place: Place) -> list[Group]:
    """The groups and entries this person may open (groups left empty are dropped)."""
    groups = [
        Group(group.label, tuple(e for e in group.entries if allowed(place, e.who)))
        for group in MENU
    ]
    return [group for group in groups if group.entries]


def within(path: str, workspace: str) -> bool:
    """Whether `path` is one of the settings screens (or below one)."""
    base = f"/w/{workspace}/"
    if path.rstrip("/") == f"{base}settings":
        return True
    return any(
        path == base + entry.path or path.startswith(base + entry.path + "/")
        for group in MENU
        for entry in group.entries
    )
