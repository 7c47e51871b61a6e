"""Ingest's canonical mention and the generic webhook payload."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ensemble_ingest.models.mentions import GenericWebhook, Mention, mention_id
from ensemble_notify.models.endpoints import EndpointCreate
from support.mentions import mention_body


def test_the_mention_id_is_the_natural_key_hashed() -> None:
    assert mention_id("acme", "forum", "1") == mention_id("acme", "forum", "1")
    assert (
        len(
            {
                mention_id("acme", "forum", "1"),
                mention_id("globex", "forum", "1"),
                mention_id("acme", "x", "1"),
                mention_id("acme", "forum", "2"),
            }
        )
        == 4
    )


def test_a_generic_webhook_becomes_a_mention_with_its_fields() -> None:
    webhook = GenericWebhook.model_validate_json(mention_body("42", text="Bonjour"))
    mention = Mention.from_incoming("acme", "src-1", webhook.data)
    assert mention.id == mention_id("acme", "forum", "42")
    assert (mention.text, mention.author.handle, mention.source_id) == (
        "Bonjour",
        "camille",
        "src-1",
    )
    assert mention.event_data().mention_id == mention.id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"platform": "Not Valid!"}, "platform"),
        ({"external_id": ""}, "external_id"),
        ({"author": {"handle": "x"}}, "id"),
        ({"url": "not a url"}, "url"),
        ({"language": "english please"}, "language"),
    ],
)
def test_malformed_payloads_name_the_field(change: dict[str, object], field: str) -> None:
    import json

    document = json.loads(mention_body("1"))
    document["data"].update(change)
    with pytest.raises(ValidationError) as error:
        GenericWebhook.model_validate(document)
    assert field in str(error.value)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/x", "URL scheme should be 'http' or 'https'"),
        ("https://user:pw@example.org/x", "credentials are not allowed"),
        ("javascript:alert(1)", "URL scheme"),
    ],
)
def test_endpoint_urls_are_plain_http_without_credentials(url: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        EndpointCreate(url=url)
