"""The approvals awaiting a person: the open steps they may decide and have not decided yet.

Candidates come from the index of open steps (storage/open_steps.py: one row per item with a
step open, soonest due first), filtered there by the people, teams and roles a step names
(and its backup's, once due). Each candidate is then judged on the workflow's own facts, by
the rules the decision route applies (`ApprovalService.covers`, `workflow.awaits`), so the
index may lag or hold a stale row without showing a wrong one. Facts are read for a whole
batch at once: a page costs a handful of reads, not two per item.
"""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_scheduler.models.awaiting import AwaitingPage, AwaitingStep, OpenStep
from ensemble_scheduler.services.approval_facts import Facts
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.workflow import awaits, eligible_slots
from ensemble_scheduler.storage.approvals import ApprovalRepository
from ensemble_scheduler.storage.open_steps import OpenStepRepository
from ensemble_shared.auth import Principal
from ensemble_shared.events import utcnow
from ensemble_shared.storage.pagination import Position, encode_cursor, parse_cursor

BATCHES = 4
"""Candidate batches read to fill one page before answering with a cursor: rows the caller
decided already (a quorum still waiting for others) do not leave a page empty."""


def _position(step: OpenStep) -> Position:
    return step.due_at, step.content_id


class AwaitingService:
    def __init__(
        self, index: OpenStepRepository, approvals: ApprovalService, requests: ApprovalRepository
    ) -> None:
        self._index = index
        self._approvals = approvals
        self._requests = requests

    async def index_existing(self, *, batch: int = 200) -> int:
        """Once per store, at start: index the steps opened before the index existed, so a
        decision awaited since then is listed too. Safe to run twice or at once on several
        replicas (each write is idempotent); marked done only after it completed."""
        if await self._index.is_built():
            return 0
        opened = 0
        for workspace, ids in (await self._requests.latest_request_ids()).items():
            for start in range(0, len(ids), batch):
                opened += await self._reopen(workspace, ids[start : start + batch])
        await self._index.mark_built(utcnow())
        return opened

    async def _reopen(self, workspace: str, approval_ids: Sequence[str]) -> int:
        """Tell the clock again of the step open in each of these workflows (idempotent: the
        stored plan and timers stand); how many steps were open. A one-off rebuild of what
        the clock keeps, for workflows under way before it kept it."""
        opened = 0
        for facts in await self._approvals.facts_many(workspace, approval_ids):
            step = facts.state.open_step
            if step is not None:
                await self._approvals.clock.step_opened(
                    facts.record, step.position, step.round, facts.latest
                )
                opened += 1
        return opened

    async def page(self, principal: Principal, *, cursor: str | None, limit: int) -> AwaitingPage:
        """Soonest due first (then by item id); `limit` rows at most."""
        after = parse_cursor(cursor)
        now = utcnow()
        rows: list[AwaitingStep] = []
        for _ in range(BATCHES):
            batch = await self._index.for_approver(
                principal.workspace,
                subject=principal.subject,
                teams=tuple(principal.teams),
                roles=tuple(str(r) for r in principal.roles),
                now=now,
                after=after,
                limit=limit,
            )
            facts = await self._approvals.facts_many(
                principal.workspace, [c.approval_id for c in batch]
            )
            by_approval = {f.record.id: f for f in facts}
            for candidate in batch:
                after = _position(candidate)
                found = by_approval.get(candidate.approval_id)
                row = await self._row(principal, candidate, found) if found else None
                if row is not None:
                    rows.append(row)
                    if len(rows) == limit:
                        return AwaitingPage(items=rows, next_cursor=encode_cursor(*after))
            if len(batch) < limit:
                return AwaitingPage(items=rows)
        # every batch was full: more may follow the last candidate looked at
        return AwaitingPage(items=rows, next_cursor=encode_cursor(*after) if after else None)

    async def _row(
        self, principal: Principal, candidate: OpenStep, facts: Facts
    ) -> AwaitingStep | None:
        state = facts.state
        step = state.open_step
        if step is None or (step.name, step.round) != (candidate.step, candidate.round):
            return None  # the index lags the facts: the item's next opening will replace it
        covers = await self._approvals.covers(facts.record, step, principal)
        approver = f"user:{principal.subject}"
        if awaits(state, facts.decisions, approver=approver, covers=covers) is None:
            return None
        named = eligible_slots(
            step.spec, subject=principal.subject, teams=principal.teams, roles=principal.roles
        )
        latest, record = facts.latest, facts.record
        return AwaitingStep(
            content_id=record.content_id,
            approval_id=record.id,
            kind=latest.kind,
            channel=latest.fields.channel,
            title=latest.fields.title,
            excerpt=latest.fields.body[:200],
            version=state.version,
            step=step.name,
            round=step.round,
            due_at=candidate.due_at,
            as_backup=not named,
            requested_by=record.requested_by,
            requested_at=record.requested_at,
        )
