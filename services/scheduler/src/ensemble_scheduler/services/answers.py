"""Answer where it was asked: when an idea that came from a social mention moves on the roadmap,
draft a reply on the original post from the workspace's pre-approved template for that status,
and request its approval like any reply (the template's text is pre-approved; the reply, its
target and its timing still go through the workflow: nothing goes out unapproved).

Idempotent per event: the draft's id derives from the event id, so a redelivered event finds
its draft and at most re-asks for the approval it did not get to ask for.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence

from ensemble_scheduler.models.answers import AnswerTemplate, AnswerTemplateIn
from ensemble_scheduler.models.approvals import ApprovalRequestIn
from ensemble_scheduler.models.content import ContentFields, ContentVersion, ReplyTo
from ensemble_scheduler.models.revisions import next_revision
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.content import ContentService
from ensemble_scheduler.storage.templates import AnswerTemplateRepository
from ensemble_shared.auth import Principal, Role
from ensemble_shared.errors import Conflict, Invalid
from ensemble_shared.events import Event, SubmissionStatusChangedV1, utcnow
from ensemble_shared.events.submissions import SubmissionStatus

log = logging.getLogger(__name__)

AUTHOR = "scheduler:answers"
_PLACEHOLDER = re.compile(r"\{(title|status|reason|author)\}")
STATUS_WORDS = {
    "en": {
        "open": "open",
        "under_review": "under review",
        "planned": "planned",
        "in_progress": "in progress",
        "done": "done",
        "declined": "declined",
    },
    "fr": {
        "open": "ouverte",
        "under_review": "à l'étude",
        "planned": "planifiée",
        "in_progress": "en cours",
        "done": "réalisée",
        "declined": "refusée",
    },
}


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill the known placeholders only: any other brace stays as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template).strip()


def answer_id(event_id: str) -> str:
    return f"answer-{event_id}"


class AnswerService:
    def __init__(
        self,
        templates: AnswerTemplateRepository,
        content: ContentService,
        approvals: ApprovalService,
        *,
        languages: Sequence[str],
    ) -> None:
        self._templates = templates
        self._content = content
        self._approvals = approvals
        self._languages = tuple(dict.fromkeys([*languages, "en", "fr"]))

    # --- templates -----------------------------------------------------------------------

    async def put_template(
        self,
        principal: Principal,
        status: SubmissionStatus,
        language: str,
        body: AnswerTemplateIn,
    ) -> AnswerTemplate:
        current = await self._templates.template(principal.workspace, status, language)
        template = AnswerTemplate(
            **body.model_dump(),
            status=status,
            language=language,
            **next_revision(principal, current),
        )
        if not await self._templates.insert_template(template):
            raise Conflict("another change to this template was saved first; reload")
        return template

    async def templates(self, workspace: str) -> list[AnswerTemplate]:
        return await self._templates.templates_of(workspace)

    async def _template(self, workspace: str, status: str) -> AnswerTemplate | None:
        for language in self._languages:
            template = await self._templates.template(workspace, status, language)
            if template is not None:
                return template
        return None

    # --- drafting ------------------------------------------------------------------------

    async def on_submissions(self, events: Sequence[Event]) -> None:
        """Kafka handler: status changes of submissions that came from a mention."""
        for event in events:
            if isinstance(event, SubmissionStatusChangedV1) and event.data.origin is not None:
                await self.draft(event)

    async def draft(self, event: SubmissionStatusChangedV1) -> str | None:
        """The reply draft's id (None when the workspace has no template for the status)."""
        data, origin = event.data, event.data.origin
        assert origin is not None
        workspace = event.workspace
        template = await self._template(workspace, data.status)
        if template is None:
            log.info("no answer template for %s/%s: no reply drafted", workspace, data.status)
            return None
        content_id = answer_id(event.id)
        if await self._content.find(workspace, content_id) is None:
            words = STATUS_WORDS.get(template.language, STATUS_WORDS["en"])
            body = render(
                template.body,
                {
                    "title": data.title,
                    "status": words.get(data.status, data.status),
                    "reason": data.reason or "",
                    "author": f"@{origin.author_handle}" if origin.author_handle else "",
                },
            )
            version = ContentVersion(
                content_id=content_id,
                workspace=workspace,
                kind="reply",
                version=1,
                fields=ContentFields(
                    channel=template.channel or origin.platform,
                    body=body,
                    tags=("answer", f"status.{data.status}"),
                    reply_to=ReplyTo(
                        mention_id=origin.mention_id,
                        platform=origin.platform,
                        external_id=origin.external_id,
                        submission_id=data.submission_id,
                    ),
                ),
                author=AUTHOR,
                created_at=utcnow(),
            )
            await self._content.draft(version)
        if await self._approvals.current(workspace, content_id) is None:
            service = Principal(
                subject=AUTHOR, workspace=workspace, roles=frozenset({Role.SERVICE})
            )
            try:
                await self._approvals.request(
                    service,
                    content_id,
                    ApprovalRequestIn(
                        comment=f"Answer to submission {data.submission_id} ({data.status})"
                    ),
                )
            except Invalid as exc:  # no policy: the draft waits for a person to route it
                log.warning("answer %s drafted, approval not requested: %s", content_id, exc)
            except Conflict:
                if await self._approvals.current(workspace, content_id) is None:
                    raise  # triage pending: the consumer retries
        return content_id
