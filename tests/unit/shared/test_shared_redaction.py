"""Secrets out of what is shown or logged: capability tokens anywhere in a text, secret path
segments and query parameters, and the capability fields of events given to integrators."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ensemble_shared.capabilities import Capabilities
from ensemble_shared.events import MemberData, MemberRegisteredV1
from ensemble_shared.events.approvals import ApprovalLink
from ensemble_shared.events.disclosure import disclosed
from ensemble_shared.events.insights import Localized, ReportChart, ReportData
from ensemble_shared.redaction import RedactPaths, redact_path, redact_secrets
from support.notify_events import a_step_opened

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
TOKEN = Capabilities("s" * 40, "approval-link").sign({"a": 1}, expires=NOW + timedelta(days=1))
OPAQUE = "ens_i_" + "A-b_9" * 9


# Text around a token that cannot continue it (a token's own characters would be taken with it).
AROUND = st.text(alphabet=st.characters(blacklist_categories=("L", "N"), blacklist_characters="_-"))


@given(
    before=AROUND,
    after=AROUND,
    claims=st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=20), max_size=4),
)
def test_a_capability_token_anywhere_in_a_text_is_redacted(
    before: str, after: str, claims: dict[str, str]
) -> None:
    claims = {k: v for k, v in claims.items() if k not in {"aud", "exp", "iat", "nbf", "iss"}}
    token = Capabilities("s" * 40, "feed").sign(claims, expires=None)
    shown = redact_secrets(f"{before}{token}{after}")
    assert token not in shown
    assert shown == f"{before}[redacted]{after}"


def test_opaque_secrets_are_redacted_and_ordinary_text_is_not() -> None:
    assert redact_secrets(f"join: https://x.example/invitations/{OPAQUE}.") == (
        "join: https://x.example/invitations/[redacted]."
    )
    text = "Approve: https://ensemble.example.org/w/acme/content/c-1?tab=eyes"
    assert redact_secrets(text) == text


def test_paths_and_queries_lose_their_secrets() -> None:
    assert redact_path(f"/approval-links/{TOKEN}") == "/approval-links/[redacted]"
    assert redact_path(f"/calendar.ics?token={TOKEN}&team=a") == (
        "/calendar.ics?token=[redacted]&team=a"
    )
    assert redact_path("/inbox/stream?ticket=t1") == "/inbox/stream?ticket=[redacted]"
    assert redact_path(f"/unsubscribe?token={TOKEN}") == "/unsubscribe?token=[redacted]"
    assert redact_path(f"/feeds/{TOKEN}/calendar.ics") == "/feeds/[redacted]/calendar.ics"
    assert redact_path("/sign-in/oidc/callback?state=s&code=c") == (
        "/sign-in/oidc/callback?state=[redacted]&code=[redacted]"
    )
    assert redact_path("/mentions?limit=50&q=token") == "/mentions?limit=50&q=token"


def test_the_access_log_filter_redacts_the_path_argument() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        20,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", f"/approval-links/{TOKEN}", "1.1", 200),
        None,
    )
    assert RedactPaths().filter(record)
    assert TOKEN not in record.getMessage()


def link(approver: str) -> ApprovalLink:
    url = f"https://ensemble.example.org/hooks/decisions/{TOKEN}"
    return ApprovalLink(approver=approver, name="N", url=url, expires_at=NOW)


def test_an_opened_step_is_disclosed_without_its_links() -> None:
    data = a_step_opened("camille").data.model_copy(
        update={"links": (link("ext-o"),), "person_links": (link("person:camille"),)}
    )
    shown = disclosed(data)
    assert shown["people"] == ["camille"]
    kept = {"name": "N", "email": None, "expires_at": "2026-12-06T12:00:00Z"}
    assert shown["links"] + shown["person_links"] == [
        {"approver": "ext-o", **kept},
        {"approver": "person:camille", **kept},
    ]
    assert TOKEN not in json.dumps(shown)


def test_a_members_paths_and_a_reports_chart_links_are_not_disclosed() -> None:
    member = MemberData(
        member_id="m",
        display_name="Ana",
        unsubscribe_paths={"ideas_followed": f"/unsubscribe?token={TOKEN}"},
        verify_email_path=f"/verify?token={TOKEN}",
    )
    event = MemberRegisteredV1(source="s", subject="m", workspace="w", data=member)
    assert set(disclosed(event.data)) == {
        "member_id",
        "display_name",
        "email",
        "language",
        "consents",
        "email_verified",
    }
    chart = Localized(en=f"https://i.example/c.png?sig={TOKEN}", fr="https://i.example/f.png")
    text = Localized(en="t", fr="t")
    report = ReportData(
        report_id="r",
        start=date(2026, 11, 30),
        end=date(2026, 12, 6),
        previous_start=date(2026, 11, 23),
        previous_end=date(2026, 11, 29),
        time_zone="UTC",
        title=text,
        summary=text,
        figures=(),
        charts=(ReportChart(key="mentions", title=text, urls=chart),),
        expires_at=NOW,
    )
    assert disclosed(report)["charts"] == [{"key": "mentions", "title": {"en": "t", "fr": "t"}}]


def test_a_token_in_a_field_not_declared_a_capability_is_still_blanked() -> None:
    data = a_step_opened().data.model_copy(update={"title": f"see {TOKEN}"})
    assert disclosed(data)["title"] == "see [redacted]"
