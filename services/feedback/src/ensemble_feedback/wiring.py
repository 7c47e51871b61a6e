"""Feedback's composition root: every repository and service built once, in the order they
depend on each other, each collaborator passed through a constructor.

The one loop in the graph is broken by splitting moderation in two: the board writes through
the `Screener` (the `Moderator` port), and the review queue (`ModerationService`) publishes or
discards through the board's `HeldContentService`, built before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ensemble_feedback.config import FeedbackSettings
from ensemble_feedback.services.accounts import AccountFollower
from ensemble_feedback.services.activity import ActivityService
from ensemble_feedback.services.comments import CommentService
from ensemble_feedback.services.directory import Directory
from ensemble_feedback.services.duplicates import DuplicateService
from ensemble_feedback.services.event_followups import FollowupInvitations
from ensemble_feedback.services.field_events import FieldEventService
from ensemble_feedback.services.following import FollowService
from ensemble_feedback.services.handle_proofs import HandleProofs
from ensemble_feedback.services.held import HeldContentService
from ensemble_feedback.services.identities import IdentityService
from ensemble_feedback.services.links import SignedLinks
from ensemble_feedback.services.member_merges import MemberMergeService
from ensemble_feedback.services.members import MemberService
from ensemble_feedback.services.merge_cache import MergeCache
from ensemble_feedback.services.moderation import ModerationService
from ensemble_feedback.services.personal_data import PersonalData
from ensemble_feedback.services.ports import ActivityLog, MemberDirectory, Moderator
from ensemble_feedback.services.public_board import PublicBoard
from ensemble_feedback.services.ratelimits import WriteLimiter
from ensemble_feedback.services.screening import Screener
from ensemble_feedback.services.similarity import SimilarityIndex
from ensemble_feedback.services.social import SocialMentionService
from ensemble_feedback.services.statuses import StatusService
from ensemble_feedback.services.submissions import SubmissionService
from ensemble_feedback.services.suggestions import SuggestionService
from ensemble_feedback.services.trust import TrustService
from ensemble_feedback.services.vote_ledger import VoteLedger
from ensemble_feedback.services.votes import VoteService
from ensemble_feedback.storage.activity import ActivityRepository
from ensemble_feedback.storage.comments import CommentRepository
from ensemble_feedback.storage.decisions import HeldDecisionRepository
from ensemble_feedback.storage.field_events import FieldEventRepository
from ensemble_feedback.storage.follows import FollowRepository
from ensemble_feedback.storage.handle_claims import HandleClaimRepository
from ensemble_feedback.storage.handles import HandleRepository
from ensemble_feedback.storage.members import MemberRepository
from ensemble_feedback.storage.merge_log import MergeLogRepository
from ensemble_feedback.storage.moderation import ModerationRepository
from ensemble_feedback.storage.personal_data import PersonalDataRepository
from ensemble_feedback.storage.postings import PostingRepository
from ensemble_feedback.storage.social import SocialMentionRepository
from ensemble_feedback.storage.submissions import SubmissionRepository
from ensemble_feedback.storage.suggestions import SuggestionRepository
from ensemble_feedback.storage.votes import VoteRepository
from ensemble_feedback.storage.weights import WeightsRepository
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.runtime import Infrastructure, Loop, repeat
from ensemble_shared.storage import Database
from ensemble_shared.topics import FIELD_EVENTS, MEMBERS, SUBMISSIONS


@dataclass(frozen=True)
class Board:
    """The board's services: submissions, votes, follows, comments, staff moves, held content."""

    ledger: VoteLedger
    submissions: SubmissionService
    votes: VoteService
    following: FollowService
    comments: CommentService
    statuses: StatusService
    duplicates: DuplicateService
    held: HeldContentService
    public: PublicBoard


def board(
    database: Database,
    outbox: Outbox,
    *,
    directory: MemberDirectory,
    activity: ActivityLog,
    moderator: Moderator,
) -> Board:
    """The board on its repositories, asking the other areas through their ports."""
    submissions = SubmissionRepository(database, outbox)
    votes = VoteRepository(database, outbox)
    comments = CommentRepository(database, outbox)
    follows = FollowRepository(database)
    ledger = VoteLedger(votes, directory, activity)
    similarity = SimilarityIndex(submissions)
    reading = SubmissionService(submissions, follows, ledger, similarity, moderator, activity)
    following = FollowService(reading, submissions, follows, ledger, directory)
    commenting = CommentService(comments, reading, submissions, following, moderator, activity)
    return Board(
        ledger=ledger,
        submissions=reading,
        votes=VoteService(ledger, reading, votes, directory),
        following=following,
        comments=commenting,
        statuses=StatusService(reading, following),
        duplicates=DuplicateService(reading, submissions, ledger, similarity, follows, comments),
        held=HeldContentService(
            HeldDecisionRepository(database), reading, similarity, commenting, comments, activity
        ),
        public=PublicBoard(submissions, comments, ledger, similarity),
    )


@dataclass(frozen=True)
class Services:
    """Everything the handlers and subscribers call, built once per process."""

    outbox: Outbox
    """Where every write stages the events it announces (one per process)."""
    social: SocialMentionService
    members: MemberService
    personal_data: PersonalData
    accounts: AccountFollower
    trust: TrustService
    directory: Directory
    identities: IdentityService
    handle_proofs: HandleProofs
    merges: MemberMergeService
    activity: ActivityService
    limiter: WriteLimiter
    screener: Screener
    board: Board
    moderation: ModerationService
    field_events: FieldEventService
    followups: FollowupInvitations
    suggestions: SuggestionService
    loops: tuple[Loop, ...]
    """Background work: the outbox relay, the fingerprint purge, field event follow-ups."""


def build(infra: Infrastructure, settings: FeedbackSettings) -> Services:
    database = infra.database
    publisher = EventPublisher(infra.broker, infra.topics, [SUBMISSIONS, MEMBERS, FIELD_EVENTS])
    outbox = Outbox(publisher, infra.topics, database)
    relay = OutboxRelay.from_settings(outbox, publisher, settings)
    mentions = SocialMentionRepository(database)

    # members
    stored_members = MemberRepository(database, outbox)
    handles = HandleRepository(database)
    merge_log = MergeLogRepository(database, outbox)
    merge_cache = MergeCache(merge_log)
    links = SignedLinks(settings.secret_key.get_secret_value())
    members = MemberService(stored_members, handles, merge_cache, links)
    trust = TrustService(members, stored_members, merge_cache)
    directory = Directory(stored_members, handles, merge_cache, trust)
    activity = ActivityService(
        ActivityRepository(database),
        mentions,
        WeightsRepository(database, outbox),
        members,
        directory,
    )

    # moderation's screening, the board, then the review queue that acts on the board
    queue = ModerationRepository(database)
    screener = Screener(
        queue,
        PostingRepository(database),
        trust,
        duplicate_window_seconds=settings.moderation_duplicate_window_seconds,
    )
    the_board = board(database, outbox, directory=directory, activity=activity, moderator=screener)
    moderation = ModerationService(
        queue, trust, the_board.held, auto_trust_after=settings.moderation_auto_trust_after
    )

    event_store = FieldEventRepository(database, outbox)
    field_events = FieldEventService(event_store, directory, activity)
    followups = FollowupInvitations(event_store)

    async def purge_fingerprints() -> None:
        await repeat(
            screener.forget_old_fingerprints,
            every=max(60.0, settings.moderation_duplicate_window_seconds / 2),
            what="fingerprint purge",
        )

    identities = IdentityService(members, stored_members, handles, merge_cache)
    handle_proofs = HandleProofs(identities, HandleClaimRepository(database))

    async def purge_handle_claims() -> None:
        await repeat(handle_proofs.forget_expired, every=3600.0, what="handle claim purge")

    return Services(
        outbox=outbox,
        social=SocialMentionService(mentions),
        members=members,
        personal_data=PersonalData(
            members,
            stored_members,
            PersonalDataRepository(database, outbox),
            merge_cache,
            field_events,
        ),
        accounts=AccountFollower(members, stored_members),
        trust=trust,
        directory=directory,
        identities=identities,
        handle_proofs=handle_proofs,
        merges=MemberMergeService(stored_members, handles, merge_log, merge_cache),
        activity=activity,
        limiter=WriteLimiter(
            member_limits=settings.rate_limit_member_writes,
            ip_limits=settings.rate_limit_ip_writes,
            storage_uri=settings.rate_limit_storage,
            trusted_proxies=settings.trusted_proxies,
        ),
        screener=screener,
        board=the_board,
        moderation=moderation,
        field_events=field_events,
        followups=followups,
        suggestions=SuggestionService(
            SuggestionRepository(database, outbox),
            the_board.submissions,
            the_board.votes,
            directory,
            activity,
        ),
        loops=(relay.run, purge_fingerprints, purge_handle_claims, followups.run),
    )
