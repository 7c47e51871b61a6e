"""Triage settings a workspace edits: rules (checked by the query compiler), VIPs, languages."""

from __future__ import annotations

import re
import uuid

from pydantic import BaseModel, Field, field_validator

from ensemble_ingest.models.triage import MentionKind, Priority
from ensemble_ingest.triage.language import known_languages
from ensemble_ingest.triage.rules import compile_query

DEFAULT_LANGUAGES = ["en", "fr", "de", "es", "it", "nl", "pt"]
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class RuleActions(BaseModel):
    """What a matching rule does to the mention."""

    tags: list[str] = Field(default=[], description="Tags added to the mention.")
    priority: Priority | None = Field(
        default=None, description="Raises the mention to this priority (never lowers it)."
    )
    team: str | None = Field(default=None, description="Team the mention is routed to.")
    mark_as: MentionKind | None = Field(default=None, description="Marks the mention's kind.")

    @field_validator("tags")
    @classmethod
    def _tags_are_words(cls, tags: list[str]) -> list[str]:
        cleaned = [tag.strip() for tag in tags]
        if any(not tag for tag in cleaned):
            raise ValueError("a tag cannot be blank")
        return cleaned


class Rule(BaseModel):
    """A boolean query over mentions and the actions taken when it matches."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    name: str = Field(min_length=1, max_length=200)
    query: str = Field(
        description=(
            'Terms, "quoted phrases", AND / OR / NOT (or -term), parentheses, prefix* and'
            " field filters platform:, lang:, author:, sentiment:."
        ),
        examples=['(refund OR rembours*) -"thank you" lang:fr'],
    )
    actions: RuleActions
    enabled: bool = True

    @field_validator("query")
    @classmethod
    def _query_compiles(cls, query: str) -> str:
        """An invalid query is refused when saved, with what is wrong and where."""
        compile_query(query)  # raises QueryError, a ValueError, naming the column
        return query


class TriageSettings(BaseModel):
    """A workspace's triage configuration."""

    rules: list[Rule] = []
    vip_authors: list[str] = Field(
        default=[],
        description="`handle` (any platform) or `platform:handle`; case-insensitive, @ ignored.",
        examples=[["camille", "x:@AcmeCEO"]],
    )
    negative_priority: Priority = Field(
        default="high", description="Priority given to negative mentions."
    )
    languages: list[str] = Field(
        default=DEFAULT_LANGUAGES,
        min_length=1,
        description="Candidate languages for detection (ISO 639-1).",
    )

    @field_validator("vip_authors")
    @classmethod
    def _vip_entries_are_handles(cls, entries: list[str]) -> list[str]:
        normalized = []
        for entry in entries:
            platform, _, handle = entry.strip().rpartition(":")
            handle = handle.strip().lstrip("@").lower()
            if not handle:
                raise ValueError(f"VIP author {entry!r} has no handle")
            platform = platform.strip().lower()
            normalized.append(f"{platform}:{handle}" if platform else handle)
        return normalized

    @field_validator("languages")
    @classmethod
    def _languages_are_known(cls, languages: list[str]) -> list[str]:
        codes = list(dict.fromkeys(code.strip().lower() for code in languages))
        malformed = [code for code in codes if not _LANGUAGE_CODE.match(code)]
        if malformed:
            raise ValueError(f"not ISO 639-1 language codes: {', '.join(malformed)}")
        unknown = sorted(set(codes) - known_languages())
        if unknown:
            raise ValueError(f"languages the detector does not know: {', '.join(unknown)}")
        return codes
