"""API error types and the JSON envelopes of the SimpleBackups service."""

from __future__ import annotations

from typing import Any


def envelope(message: str, data: Any = None, success: bool = True, errors: Any = None) -> dict:
    """The ``{success, message, errors, data}`` envelope of write endpoints.

    Laravel serialises an empty PHP array as ``[]``, which is why "no errors"
    and "no data" are lists, not objects or null.
    """
    return {
        "success": success,
        "message": message,
        "errors": [] if errors is None else errors,
        "data": [] if data is None else data,
    }


class ApiError(Exception):
    """An error answer: HTTP status plus JSON body."""

    def __init__(self, status: int, body: dict, headers: dict | None = None):
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body
        self.headers = headers or {}


class NotFound(ApiError):
    """``<Resource> not found.`` for an unknown (or other team's) id in a path."""

    def __init__(self, resource: str):
        super().__init__(404, envelope(f"{resource} not found.", success=False))


class ValidationFailed(ApiError):
    """422 with Laravel's per-field errors; the message is the first error."""

    def __init__(self, errors: dict[str, list[str]]):
        first = next(iter(errors.values()))[0]
        body = {"success": False, "message": first, "errors": errors}
        super().__init__(422, body)
        self.errors = errors


class Unauthenticated(ApiError):
    def __init__(self):
        super().__init__(401, {"message": "Unauthenticated."})
