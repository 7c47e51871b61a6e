"""The query parameters of every paged list, declared once (see `storage.pagination`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ensemble_shared.storage.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

PageSize = Annotated[
    int,
    Query(ge=1, le=MAX_PAGE_SIZE, description=f"Page size (at most {MAX_PAGE_SIZE})."),
]
"""`limit: PageSize = DEFAULT_PAGE_SIZE` in a route."""

PageCursor = Annotated[
    str | None,
    Query(max_length=512, description="`next_cursor` of the previous page; absent for the first."),
]

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "PageCursor", "PageSize"]
