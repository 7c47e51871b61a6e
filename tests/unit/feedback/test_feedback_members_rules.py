"""Member domain rules: merges (same platform, chains, undo), suggestions, score, handles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import pytest
from pydantic import ValidationError

from ensemble_feedback.models.activity import Activity, TimelineItem
from ensemble_feedback.models.members import (
    ProfileChange,
    SignUp,
    handle_key,
    handle_stem,
    mention_handles,
)
from ensemble_feedback.models.merges import MergeEntry, MergeState, suggest_merges
from ensemble_feedback.services.activity import merged_page
from ensemble_shared.engagement import EngagementWeights, engagement
from ensemble_shared.errors import Conflict

AT = datetime(2026, 11, 1, tzinfo=UTC)


def entry(
    seq: int, kind: Literal["merge", "unmerge"], merge_id: str, survivor: str, merged: str
) -> MergeEntry:
    return MergeEntry(
        seq=seq, kind=kind, merge_id=merge_id, survivor=survivor, merged=merged, by="maya", at=AT
    )


def folded(*entries: MergeEntry) -> MergeState:
    state = MergeState()
    state.apply(entries)
    return state


def test_merges_resolve_through_chains_and_undo_one_link_only() -> None:
    state = folded(entry(1, "merge", "m1", "a", "b"), entry(2, "merge", "m2", "c", "a"))
    assert [state.canonical(x) for x in "abcd"] == ["c", "c", "c", "d"]
    assert state.group("b") == ["c", "a", "b"]
    state.apply([entry(3, "unmerge", "m2", "c", "a")])
    assert [state.canonical(x) for x in "abc"] == ["a", "a", "c"]
    assert state.group("a") == ["a", "b"]
    assert state.merges["m2"].undone_by == "maya"
    assert state.merges["m1"].undone_at is None


def test_entries_already_folded_are_not_applied_twice() -> None:
    state = folded(entry(1, "merge", "m1", "a", "b"), entry(2, "unmerge", "m1", "a", "b"))
    state.apply([entry(1, "merge", "m1", "a", "b")])  # an old page read again
    assert state.canonical("b") == "b"
    assert state.head == 2


def test_two_identities_of_the_same_platform_are_never_merged() -> None:
    state = folded()
    platforms = {"a": {"bluesky": "a.bsky.social"}, "b": {"bluesky": "b.bsky.social", "x": "b"}}
    with pytest.raises(Conflict, match=r"same platform.*bluesky \(a\.bsky\.social and b\.bsky"):
        state.check_merge("a", "b", platforms)
    state.check_merge("a", "c", platforms)  # no identities in common: fine


def test_the_same_platform_rule_holds_for_whole_merge_groups() -> None:
    state = folded(entry(1, "merge", "m1", "a", "b"))
    platforms = {"b": {"github": "bee"}, "c": {"github": "cee"}}
    with pytest.raises(Conflict, match="github"):
        state.check_merge("c", "a", platforms)


@pytest.mark.parametrize(
    ("survivor", "merged", "why"),
    [
        ("a", "a", "itself"),
        ("c", "b", "already merged into a"),
        ("b", "c", "merge into that member instead"),
    ],
)
def test_merges_that_would_loop_or_double_up_are_refused(
    survivor: str, merged: str, why: str
) -> None:
    state = folded(entry(1, "merge", "m1", "a", "b"))
    with pytest.raises(Conflict, match=why):
        state.check_merge(survivor, merged, {})


def test_suggestions_pair_canonical_members_and_skip_impossible_or_split_pairs() -> None:
    state = folded(
        entry(1, "merge", "m1", "a", "a2"),
        entry(2, "merge", "m2", "e", "f"),
        entry(3, "unmerge", "m2", "e", "f"),
    )
    found = suggest_merges(
        state,
        emails={"ana@example.org": ["a2", "b"], "eve@example.org": ["e", "f"]},
        stems={"ana": [("b", "x"), ("a", "github")], "dup": [("c", "mastodon"), ("d", "x")]},
        platforms={"c": {"reddit": "dup"}, "d": {"reddit": "dup2"}, "a": {"github": "ana"}},
    )
    assert [(s.member_ids, len(s.reasons)) for s in found] == [(("a", "b"), 2)]
    assert "same verified email ana@example.org" in found[0].reasons


def test_engagement_is_a_weighted_sum_with_orbit_like_defaults() -> None:
    counts = {"submission": 2, "comment": 1, "vote": 3, "attendance": 1, "mention": 2}
    assert engagement(counts, EngagementWeights()) == 2 * 5 + 3 + 3 + 8 + 2 * 2
    assert engagement(counts, EngagementWeights(vote=0, submission=1)) == 2 + 3 + 8 + 4
    assert engagement({"unknown": 5}, EngagementWeights()) == 0


@pytest.mark.parametrize(
    ("platform", "handle", "key", "stem"),
    [
        ("mastodon", "@Ana@Mastodon.Social", "ana@mastodon.social", "ana"),
        ("bluesky", "ana.bsky.social", "ana.bsky.social", "ana"),
        ("reddit", "u/Ana_R", "ana_r", "ana_r"),
        ("x", "@ANA", "ana", "ana"),
    ],
)
def test_handles_compare_without_case_or_at_signs(
    platform: str, handle: str, key: str, stem: str
) -> None:
    assert handle_key(platform, handle) == key
    assert handle_stem(platform, key) == stem


def test_mentions_are_looked_up_under_ingest_platform_names_and_handle_forms() -> None:
    platform, forms = mention_handles("instagram", "@Ana")
    assert platform == "meta"
    assert {"@Ana", "Ana", "ana", "@ana"} <= set(forms)


def test_requests_refuse_fields_a_member_may_not_set() -> None:
    with pytest.raises(ValidationError, match="trust"):
        ProfileChange.model_validate({"trust": "trusted"})
    with pytest.raises(ValidationError, match="votes"):
        SignUp.model_validate({"display_name": "Ana", "votes": 3})
    with pytest.raises(ValidationError, match="email"):
        SignUp.model_validate({"display_name": "Ana", "email": "not an address"})
    with pytest.raises(ValidationError):
        SignUp.model_validate({"display_name": "Ana", "consents": ["everything"]})


def test_timeline_pages_merge_both_sources_newest_first() -> None:
    def act(ref: str, minute: int) -> tuple[str, Activity]:
        at = AT.replace(minute=minute)
        return f"acme:vote:{ref}:a", Activity(
            workspace="acme", member_id="a", kind="vote", ref=ref, at=at
        )

    mentions = [
        (
            "mention:m1",
            TimelineItem(kind="mention", ref="m1", member_id=None, at=AT.replace(minute=2)),
        )
    ]
    items, last = merged_page([act("i3", 3), act("i1", 1)], mentions, 2)
    assert [i.ref for i in items] == ["i3", "m1"]
    assert last is not None
    assert last[0] == "mention:m1"
    items, last = merged_page([act("i1", 1)], [], 2)
    assert last is None
