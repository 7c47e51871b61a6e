"""The inbox's filters in the person's terms and in ingest's: a saved view opens as it was saved."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ensemble_console.models.ingest import SavedView
from ensemble_console.routes.inbox_filters import Filters

PARIS = ZoneInfo("Europe/Paris")


def saved(filters: Filters, me: str) -> SavedView:
    """What ingest stores from the console's save (None values left out)."""
    chosen = {k: v for k, v in filters.params(me, PARIS).items() if v is not None}
    return SavedView(id="v1", name="mine", filters=chosen, sort=filters.ordered())


def test_a_saved_view_opens_with_the_days_me_and_the_order_it_was_saved_with() -> None:
    shown = Filters(
        text="refund",
        status="new",
        assignee="me",
        start="2026-03-29",
        end="2026-03-29",
        sort="oldest",
    )
    view = saved(shown, "acc-1")
    assert view.filters["assignee"] == "acc-1"  # ingest holds the account, not "me"
    assert view.filters["since"] == "2026-03-28T23:00:00+00:00"  # Paris midnight, winter time
    assert view.filters["until"] == "2026-03-29T22:00:00+00:00"  # the next midnight, summer time
    assert (view.sort, shown.ordered()) == ("oldest", "oldest")
    assert Filters.of_view(view, "acc-1", PARIS) == shown
    assert Filters.of_view(view, "acc-2", PARIS).assignee == "acc-1"  # someone else's view


def test_newest_first_is_the_default_and_stays_out_of_links() -> None:
    plain = Filters(sentiment="negative")
    assert plain.ordered() == "newest"
    assert plain.query() == "sentiment=negative"
    assert Filters.of_view(saved(plain, "acc-1"), "acc-1", PARIS) == plain
    api_only = SavedView(id="v2", name="api", filters={"kind": "request", "since": "nope"})
    assert Filters.of_view(api_only, "acc-1", PARIS) == Filters()  # no field for either
