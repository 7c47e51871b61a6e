"""A person's saved inbox views: save, list, delete; each person sees only their own.

The cap is checked after the insert, not before it: FerretDB has no transactions, and a
count-then-insert lets a burst of saves all pass the check. Insert, count, and take one's own
view back when the count is past the cap: the last view stored always sees every other one, so
the cap holds under any race (a burst may refuse a save or two more than needed; saving again
works).
"""

from __future__ import annotations

from ensemble_ingest.exceptions import ViewNameTaken, ViewNotFound
from ensemble_ingest.models.views import MAX_VIEWS_PER_PERSON, InboxView, ViewCreate
from ensemble_ingest.storage.views import ViewRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Invalid
from ensemble_shared.events import new_id, utcnow


class ViewService:
    def __init__(self, views: ViewRepository) -> None:
        self._views = views

    async def mine(self, principal: Principal) -> list[InboxView]:
        return await self._views.of_owner(
            principal.workspace, principal.subject, limit=MAX_VIEWS_PER_PERSON
        )

    async def save(self, principal: Principal, body: ViewCreate) -> InboxView:
        """409 on a name the person already uses; 422 past the cap."""
        view = InboxView(**body.model_dump(), id=new_id(), created_at=utcnow())
        workspace, owner = principal.workspace, principal.subject
        if not await self._views.insert(view, workspace, owner):
            raise ViewNameTaken(view.name)
        if await self._views.count(workspace, owner) > MAX_VIEWS_PER_PERSON:
            await self._views.delete(workspace, owner, view.id)
            raise Invalid(f"views: at most {MAX_VIEWS_PER_PERSON} per person; delete one first")
        return view

    async def delete(self, principal: Principal, view_id: str) -> None:
        if not await self._views.delete(principal.workspace, principal.subject, view_id):
            raise ViewNotFound(view_id)
