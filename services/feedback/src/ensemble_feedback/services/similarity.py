"""Similar submissions by fuzzy text matching (rapidfuzz, in-process, no network).

Members type titles, not essays, so titles weigh most; stop words (English and French) are
dropped so "the" and "pour" do not make everything look alike. The score mixes a token-set
ratio (word order and extra words do not matter) with a token-sort ratio (so a one-word title
does not match every query containing that word at 100).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz, process, utils

from ensemble_feedback.models.submissions import Similar

_STOP_WORDS = """
    a an and are as at be by can could do for from have how i if in into is it its me my
    of on or our please should so that the their there this to was we what when where which
    why will with would you your
    au aux avec ce ces dans de des du elle en est et il je la le les leur ma mais me mes mon
    ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes ton tu un une
    vos votre vous y l d j c s n qu
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

MIN_SCORE = 60.0
MIN_QUERY = 3  # characters, once normalized
CORPUS_SIZE = 5000  # live submissions a workspace's index holds


def normalize(text: str) -> str:
    words = utils.default_process(text).split()
    return " ".join(w for w in words if w not in STOP_WORDS)


def score(query: str, candidate: str) -> float:
    """0..100 on normalized texts."""
    if not query or not candidate:
        return 0.0
    return 0.5 * fuzz.token_set_ratio(query, candidate) + 0.5 * fuzz.token_sort_ratio(
        query, candidate
    )


def _title_then_body(query: str, candidate: tuple[str, str], **_: object) -> float:
    title, body = candidate
    return max(score(query, title), 0.85 * score(query, f"{title} {body}".strip()))


@dataclass
class Corpus:
    """One workspace's live submissions, normalized once."""

    loaded_at: float
    items: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id → title, n(t), n(b)


def rank(
    corpus: dict[str, tuple[str, str, str]],
    text: str,
    *,
    limit: int,
    exclude: frozenset[str] = frozenset(),
    min_score: float = MIN_SCORE,
) -> list[Similar]:
    query = normalize(text)
    if len(query) < MIN_QUERY:
        return []
    choices = {i: (t, b) for i, (_, t, b) in corpus.items() if i not in exclude}
    found = process.extract(
        query, choices, scorer=_title_then_body, processor=None, limit=limit, score_cutoff=min_score
    )
    return [
        Similar(submission_id=str(key), title=corpus[key][0], score=round(float(s), 1))
        for _, s, key in found
    ]


class Source(Protocol):
    """Where the live submissions are read from (storage/submissions.py)."""

    async def corpus(self, workspace: str, *, limit: int) -> list[tuple[str, str, str]]: ...


class SimilarityIndex:
    """Per-workspace corpora kept in memory, reloaded from the store when older than `ttl`;
    submissions created by this process are added at once."""

    def __init__(
        self, source: Source, *, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._source = source
        self._ttl = ttl
        self._clock = clock
        self._corpora: dict[str, Corpus] = {}

    async def _corpus(self, workspace: str) -> Corpus:
        corpus = self._corpora.get(workspace)
        if corpus is None or self._clock() - corpus.loaded_at > self._ttl:
            rows = await self._source.corpus(workspace, limit=CORPUS_SIZE)
            corpus = Corpus(
                loaded_at=self._clock(),
                items={i: (t, normalize(t), normalize(b[:1000])) for i, t, b in rows},
            )
            self._corpora[workspace] = corpus
        return corpus

    async def similar(
        self, workspace: str, text: str, *, limit: int = 5, exclude: frozenset[str] = frozenset()
    ) -> list[Similar]:
        corpus = await self._corpus(workspace)
        return rank(corpus.items, text, limit=limit, exclude=exclude)

    def add(self, workspace: str, submission_id: str, title: str, body: str) -> None:
        corpus = self._corpora.get(workspace)
        if corpus is not None:
            corpus.items[submission_id] = (title, normalize(title), normalize(body[:1000]))

    def remove(self, workspace: str, submission_id: str) -> None:
        corpus = self._corpora.get(workspace)
        if corpus is not None:
            corpus.items.pop(submission_id, None)
