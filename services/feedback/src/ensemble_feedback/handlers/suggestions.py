"""Suggestions over HTTP: managers review what social mentions propose for the board."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from ensemble_feedback.handlers.dependencies import Suggestions
from ensemble_feedback.models.suggestions import (
    ConfirmSuggestion,
    DismissSuggestion,
    SuggestionPage,
    SuggestionStatus,
    SuggestionView,
)
from ensemble_shared.web.auth import Manager
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize

router = APIRouter(prefix="/suggestions", tags=["suggestions"])


@router.get("", summary="Suggestions from social mentions, newest first.")
async def list_suggestions(
    principal: Manager,
    suggestions: Suggestions,
    status: SuggestionStatus | None = None,
    cursor: PageCursor = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> SuggestionPage:
    return await suggestions.page(principal.workspace, status=status, cursor=cursor, limit=limit)


@router.get("/{suggestion_id}", summary="One suggestion, its decision and what it did.")
async def get_suggestion(
    suggestion_id: str, principal: Manager, suggestions: Suggestions
) -> SuggestionView:
    return await suggestions.get(principal.workspace, suggestion_id)


@router.post(
    "/{suggestion_id}/confirm",
    summary="Put it on the board: a new submission, or the linked member's vote.",
    responses={409: {"description": "Already decided, or a vote with no linked member."}},
)
async def confirm_suggestion(
    suggestion_id: str,
    principal: Manager,
    suggestions: Suggestions,
    body: Annotated[ConfirmSuggestion | None, Body()] = None,
) -> SuggestionView:
    return await suggestions.confirm(principal, suggestion_id, body or ConfirmSuggestion())


@router.post(
    "/{suggestion_id}/dismiss",
    summary="Leave it off the board.",
    responses={409: {"description": "Already decided."}},
)
async def dismiss_suggestion(
    suggestion_id: str,
    principal: Manager,
    suggestions: Suggestions,
    body: Annotated[DismissSuggestion | None, Body()] = None,
) -> SuggestionView:
    return await suggestions.dismiss(principal, suggestion_id, body.reason if body else None)
