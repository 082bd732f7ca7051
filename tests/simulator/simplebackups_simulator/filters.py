"""List filters as the service's SQL applies them (MySQL, case-insensitive collation)."""

from __future__ import annotations

import re
from typing import Any, Optional

from .store import as_int


def like_contains(needle: str, haystack: str) -> bool:
    """``haystack LIKE '%needle%'``: case-insensitive; ``%`` and ``_`` are wildcards.

    The service does not escape the wildcards, so ``filters[name]=Prod_S3``
    matches "Prod S3" too; a client must still compare names exactly.
    """
    pattern = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in needle)
    return re.search(pattern, haystack, re.IGNORECASE | re.DOTALL) is not None


def same_id(wanted: Optional[str], actual: Any) -> bool:
    """Integer column = filter value; a non-numeric value matches nothing."""
    number = as_int(wanted)
    return number is not None and number == actual


def same_text(wanted: str, actual: Optional[str]) -> bool:
    """String column = filter value under a case-insensitive collation."""
    return actual is not None and wanted.casefold() == actual.casefold()
