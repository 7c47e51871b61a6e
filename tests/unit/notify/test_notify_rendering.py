"""Templates in French and English; Slack and Teams payloads; failures that stay local."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from ensemble_notify.channels.base import RenderError
from ensemble_notify.channels.chat import ChatChannel
from ensemble_notify.channels.email import EmailChannel, EmailPayload, SmtpConfig
from ensemble_notify.channels.in_app import InAppChannel
from ensemble_notify.channels.templates import Templates
from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.inbox import InAppMessage, Link
from ensemble_notify.models.members import Member
from ensemble_notify.models.notifications import Notification
from ensemble_notify.models.people import Language
from ensemble_notify.services.composition import compose
from ensemble_notify.services.recipients import decision_links, localized, member_notifications
from ensemble_shared.events import utcnow
from ensemble_shared.events.approvals import ApprovalLink
from ensemble_shared.smtp import SmtpServer
from support.notify_events import a_step_opened, an_assignment
from support.notify_recipients import named_recipients
from support.notify_routing import a_status_change

TEMPLATES = Templates()
SMTP = SmtpConfig(SmtpServer("localhost", 25), sender="x@y.org", message_id_domain="y.org")
LINK = {"url": "https://scheduler.example.org/decide/tok?sig=abc"}


def email_channel() -> EmailChannel:
    return EmailChannel(SMTP, TEMPLATES)


def chat(name: ChannelName) -> ChatChannel:
    return ChatChannel(name, client=None, templates=TEMPLATES)  # type: ignore[arg-type]


def step_notification(
    channel: ChannelName, language: Language = "en", address: str = "camille@acme.example"
) -> Notification:
    return Notification(
        event=a_step_opened("camille"),
        channel=channel,
        recipient="camille",
        address=address,
        language=language,
        name="Camille",
        links=decision_links(LINK, language),
        unsubscribe_url="https://app.example.org/unsubscribe?t=1",
    )


def test_an_email_is_rendered_in_english_with_text_and_escaped_html() -> None:
    payload = EmailPayload.model_validate_json(
        email_channel().render(step_notification(ChannelName.EMAIL))
    )
    assert payload.subject == "Your approval is requested: Summer <launch> & co (legal)"
    assert payload.text.startswith('The step "legal" of the approval of Summer <launch> & co')
    assert "Approve: https://scheduler.example.org/decide/tok?sig=abc&decision=approve" in (
        payload.text
    )
    assert "Summer &lt;launch&gt; &amp; co" in payload.html  # autoescaped
    assert "Summer <launch>" not in payload.html
    assert 'lang="en"' in payload.html
    assert "Hello Camille," in payload.html
    assert "decision=reject" in payload.html
    assert payload.unsubscribe_url == "https://app.example.org/unsubscribe?t=1"


def test_the_same_email_in_french() -> None:
    payload = EmailPayload.model_validate_json(
        email_channel().render(step_notification(ChannelName.EMAIL, "fr"))
    )
    assert payload.subject == "Votre validation est demandée : Summer <launch> & co (legal)"
    assert "attend votre décision" in payload.text
    assert "Approuver : https://" in payload.text
    assert "Refuser : https://" in payload.text
    assert 'lang="fr"' in payload.html
    assert "Bonjour Camille," in payload.html
    assert "Se désabonner" in payload.html
    assert payload.language == "fr"


def test_an_event_without_its_own_template_uses_the_default() -> None:
    notification = Notification(
        event=an_assignment().model_copy(update={"type": "mention.status_changed.v1"}),
        channel=ChannelName.IN_APP,
        recipient="camille",
        address="camille",
    )
    message = InAppMessage.model_validate_json(
        InAppChannel(TEMPLATES, inbox=None).render(notification)  # type: ignore[arg-type]
    )
    assert message.title == "[Ensemble] Mention status changed — m-7"


@pytest.mark.parametrize("address", ["not-an-address", "a@b", "x@y.org\r\nBcc: all@y.org", ""])
def test_a_bad_address_fails_rendering_with_a_reason(address: str) -> None:
    with pytest.raises(RenderError, match="address error"):
        email_channel().render(step_notification(ChannelName.EMAIL, address=address))


def test_a_bad_notification_fails_alone_and_its_batch_goes_on() -> None:
    good = Notification(
        event=an_assignment(), channel=ChannelName.EMAIL, recipient="a", address="a@acme.example"
    )
    bad = Notification(
        event=an_assignment().model_copy(update={"id": "bad"}),
        channel=ChannelName.EMAIL,
        recipient="a",
        address="nope",
    )
    planned = compose([bad, good], {ChannelName.EMAIL: email_channel()})
    assert [d.id for d in planned.ready] == [f"{good.event.id}:a:email"]
    [(refused, reason)] = planned.refused
    assert refused.id == "bad:a:email"
    assert reason.startswith("address error")


def test_undefined_template_variables_are_errors_not_blanks() -> None:
    class Missing(Templates):
        @staticmethod
        def context(notification: Notification) -> dict[str, Any]:
            context = Templates.context(notification)
            del context["data"]
            return context

    with pytest.raises(RenderError, match="template error: UndefinedError"):
        Missing().render(step_notification(ChannelName.EMAIL), html=True)


def test_slack_message_has_blocks_and_approve_reject_buttons() -> None:
    body = json.loads(chat(ChannelName.SLACK).render(step_notification(ChannelName.SLACK)))
    assert body["text"] == "Your approval is requested: Summer <launch> & co (legal)"
    types = [b["type"] for b in body["blocks"]]
    assert types == ["header", "section", "actions", "context"]
    section = body["blocks"][1]["text"]
    assert section["type"] == "mrkdwn"
    assert "Summer &lt;launch&gt; &amp; co" in section["text"]
    buttons = body["blocks"][2]["elements"]
    assert [(b["action_id"], b["text"]["text"], b["style"]) for b in buttons] == [
        ("approve", "Approve", "primary"),
        ("reject", "Reject", "danger"),
    ]
    assert buttons[0]["url"].endswith("sig=abc&decision=approve")
    assert all(b["type"] == "button" for b in buttons)


def test_teams_message_is_an_adaptive_card_attachment_in_french() -> None:
    body = json.loads(chat(ChannelName.TEAMS).render(step_notification(ChannelName.TEAMS, "fr")))
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"], card["lang"]) == ("AdaptiveCard", "1.4", "fr")
    assert card["body"][0]["text"].startswith("Votre validation est demandée")
    assert [(a["type"], a["title"], a["style"]) for a in card["actions"]] == [
        ("Action.OpenUrl", "Approuver", "positive"),
        ("Action.OpenUrl", "Refuser", "destructive"),
    ]


def test_chat_without_decision_links_has_no_buttons() -> None:
    notification = Notification(
        event=an_assignment(), channel=ChannelName.SLACK, recipient="e", address="https://x.org"
    )
    slack = json.loads(chat(ChannelName.SLACK).render(notification))
    assert "actions" not in [b["type"] for b in slack["blocks"]]
    teams = json.loads(chat(ChannelName.TEAMS).render(notification))
    assert "actions" not in teams["attachments"][0]["content"]


def test_a_step_names_its_people_and_its_outside_approvers_with_their_links() -> None:
    named = named_recipients(a_step_opened("camille", "lea"))
    assert [(n.person, n.external, n.email) for n in named] == [
        ("camille", False, None),
        ("lea", False, None),
        ("ext-olivier", True, "olivier@agence.example"),
    ]
    assert [link.action for link in named[2].links] == ["approve", "reject"]
    assert named[2].links[1].url == (
        "https://scheduler.example.org/decide/tok123?sig=abc&decision=reject"
    )
    assert named_recipients(an_assignment("zoe"))[0].person == "zoe"


def test_a_named_person_gets_buttons_from_their_own_link() -> None:
    event = a_step_opened("camille", "lea")
    own = ApprovalLink(
        approver="person:camille",
        name="camille",
        url="https://scheduler.example.org/approval-links/tok-camille",
        expires_at=utcnow() + timedelta(days=2),
    )
    event = event.model_copy(
        update={"data": event.data.model_copy(update={"person_links": (own,)})}
    )
    camille, lea, _ = named_recipients(event)
    assert [link.url for link in camille.links] == [
        "https://scheduler.example.org/approval-links/tok-camille?decision=approve",
        "https://scheduler.example.org/approval-links/tok-camille?decision=reject",
    ]
    assert (camille.external, lea.links) == (False, ())


def test_the_crisis_step_is_named_in_the_persons_language() -> None:
    notification = step_notification(ChannelName.EMAIL, "fr")
    step = notification.event
    crisis = step.model_copy(update={"data": step.data.model_copy(update={"step": "crisis"})})
    payload = EmailPayload.model_validate_json(
        email_channel().render(notification.model_copy(update={"event": crisis}))
    )
    assert (
        payload.subject == "Votre validation est demandée : Summer <launch> & co (cellule de crise)"
    )
    assert "crisis" not in payload.text


def test_a_persons_decision_buttons_open_their_page_in_their_language() -> None:
    """The person may open the link where they are not signed in (their phone): the page
    cannot know them, so the link says the language they chose."""
    links = (*decision_links(LINK, "en"), Link(action="open", label="Open", url=LINK["url"]))
    french = localized(links, "fr")
    assert [(link.label, link.url) for link in french] == [
        ("Approuver", f"{LINK['url']}&decision=approve&lang=fr"),
        ("Refuser", f"{LINK['url']}&decision=reject&lang=fr"),
        ("Ouvrir", LINK["url"]),
    ]


def test_a_members_news_links_to_the_idea_on_the_portal_in_their_language() -> None:
    member = Member(
        workspace="acme",
        member_id="m-noa",
        display_name="Noa",
        email="noa@fans.example",
        email_verified=True,
        language="fr",
        consents=("status_changes",),
        as_of=utcnow(),
        event_id="e-1",
    )
    [notification] = member_notifications(
        a_status_change("m-noa"), member, None, "https://ensemble.example.org/"
    )
    payload = EmailPayload.model_validate_json(email_channel().render(notification))
    assert "Voir l’idée : https://ensemble.example.org/c/acme/ideas/sub-1" in payload.text
