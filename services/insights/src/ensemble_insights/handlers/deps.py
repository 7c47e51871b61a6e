"""What the routes get from the app: the current generation's services, and query shapes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Depends, Query, Request

from ensemble_insights.models.api import Period
from ensemble_insights.runtime import Projection, Runner
from ensemble_shared.errors import Invalid
from ensemble_shared.inputs import StorableDate


def runner(request: Request) -> Runner:
    found: Runner = request.app.state.runner
    return found


def projection(request: Request) -> Projection:
    return runner(request).projection()


CurrentRunner = Annotated[Runner, Depends(runner)]
Current = Annotated[Projection, Depends(projection)]


def period(
    start: Annotated[
        StorableDate | None,
        Query(description="First local day (default: 29 days before `end`)."),
    ] = None,
    end: Annotated[
        StorableDate | None,
        Query(description="Last local day, inclusive (default: today, UTC)."),
    ] = None,
) -> Period:
    last = end or date.today()
    first = start or last - timedelta(days=29)
    if first > last:
        raise Invalid("start: after end")
    return Period(start=first, end=last)


def filters(
    filter: Annotated[
        str | None,
        Query(
            max_length=300,
            pattern=r"^[a-z_]+:.+$",
            description="One `dimension:value`, e.g. `platform:mastodon`.",
        ),
    ] = None,
) -> dict[str, str]:
    if filter is None:
        return {}
    dim, _, value = filter.partition(":")
    return {dim: value}


Range = Annotated[Period, Depends(period)]
Filter = Annotated[dict[str, str], Depends(filters)]
MetricName = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[a-z_]+$")]
Dimension = Annotated[str, Query(min_length=1, max_length=32, pattern=r"^[a-z_]+$")]
Compare = Annotated[bool, Query(description="Add the same length of time just before.")]
