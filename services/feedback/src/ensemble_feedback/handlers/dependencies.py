"""What a route asks for, declared once: the services the app built at start-up (wiring.py)
and who may call.

A test puts fakes behind the routes with `app.dependency_overrides` on one of these functions.
All are `async def`: FastAPI would run a plain `def` in its thread pool, on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ensemble_feedback.services.activity import ActivityService
from ensemble_feedback.services.field_events import FieldEventService
from ensemble_feedback.services.handle_proofs import HandleProofs
from ensemble_feedback.services.identities import IdentityService
from ensemble_feedback.services.member_merges import MemberMergeService
from ensemble_feedback.services.members import MemberService
from ensemble_feedback.services.moderation import ModerationService
from ensemble_feedback.services.personal_data import PersonalData
from ensemble_feedback.services.ratelimits import WriteLimiter
from ensemble_feedback.services.social import SocialMentionService
from ensemble_feedback.services.suggestions import SuggestionService
from ensemble_feedback.services.trust import TrustService
from ensemble_feedback.wiring import Board, Services
from ensemble_shared.auth import Principal, Role
from ensemble_shared.web import require_roles


async def services(request: Request) -> Services:
    built: Services = request.app.state.services
    return built


App = Annotated[Services, Depends(services)]


async def board(app: App) -> Board:
    return app.board


async def moderation(app: App) -> ModerationService:
    return app.moderation


async def members(app: App) -> MemberService:
    return app.members


async def personal_data(app: App) -> PersonalData:
    return app.personal_data


async def trust(app: App) -> TrustService:
    return app.trust


async def identities(app: App) -> IdentityService:
    return app.identities


async def handle_proofs(app: App) -> HandleProofs:
    return app.handle_proofs


async def merges(app: App) -> MemberMergeService:
    return app.merges


async def activity(app: App) -> ActivityService:
    return app.activity


async def field_events(app: App) -> FieldEventService:
    return app.field_events


async def suggestions(app: App) -> SuggestionService:
    return app.suggestions


async def social(app: App) -> SocialMentionService:
    return app.social


async def limiter(app: App) -> WriteLimiter:
    return app.limiter


TheBoard = Annotated[Board, Depends(board)]
Moderation = Annotated[ModerationService, Depends(moderation)]
Members = Annotated[MemberService, Depends(members)]
Trust = Annotated[TrustService, Depends(trust)]
OwnData = Annotated[PersonalData, Depends(personal_data)]
Identities = Annotated[IdentityService, Depends(identities)]
Proofs = Annotated[HandleProofs, Depends(handle_proofs)]
Merges = Annotated[MemberMergeService, Depends(merges)]
Activities = Annotated[ActivityService, Depends(activity)]
FieldEvents = Annotated[FieldEventService, Depends(field_events)]
Suggestions = Annotated[SuggestionService, Depends(suggestions)]
Social = Annotated[SocialMentionService, Depends(social)]
Limiter = Annotated[WriteLimiter, Depends(limiter)]

Anyone = Annotated[Principal, Depends(require_roles(Role.MEMBER, Role.MANAGER, Role.APPROVER))]
"""Members and the internal teams: who reads the board."""
Community = Annotated[Principal, Depends(require_roles(Role.MEMBER, Role.MANAGER))]
"""Members and community managers: who sees field events."""
