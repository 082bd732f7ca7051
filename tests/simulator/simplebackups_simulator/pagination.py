"""List answers: plain ``{"data": [...]}`` or Laravel's paginated resource shape."""

from __future__ import annotations

import math
from typing import Optional
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict


def _page_number(raw: Optional[str]) -> int:
    # Laravel falls back to page 1 for anything that is not an integer >= 1.
    try:
        page = int(raw) if raw is not None else 1
    except ValueError:
        return 1
    return page if page >= 1 else 1


def list_response(items: list, page_size: Optional[int], path_url: str, args: MultiDict) -> dict:
    """Wrap ``items`` for a list endpoint.

    ``path_url`` is the endpoint's absolute URL without query string, ``args``
    the request's query parameters (kept in the page links, like
    ``withQueryString()``).
    """
    if not page_size:
        return {"data": items}
    total = len(items)
    last_page = max(1, math.ceil(total / page_size))
    page = _page_number(args.get("page"))
    start = (page - 1) * page_size
    chunk = items[start:start + page_size]
    others = [(key, value) for key, value in args.items(multi=True) if key != "page"]

    def url(number: int) -> str:
        return f"{path_url}?{urlencode(others + [('page', str(number))])}"

    return {
        "data": chunk,
        "links": {
            "first": url(1),
            "last": url(last_page),
            "prev": url(page - 1) if page > 1 else None,
            "next": url(page + 1) if page < last_page else None,
        },
        "meta": {
            "current_page": page,
            "from": start + 1 if chunk else None,
            "last_page": last_page,
            "path": path_url,
            "per_page": page_size,
            "to": start + len(chunk) if chunk else None,
            "total": total,
        },
    }
