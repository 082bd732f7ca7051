"""A small re-implementation of Laravel's validator, messages included.

Only what the SimpleBackups endpoints need is here, but the semantics follow
Laravel closely because clients are written against them:

* a rule other than the ``required*`` family only runs when the field is
  present in the input (and, with ``Nullable``, not null);
* ``required*`` rules ("implicit" rules) run even for absent fields, and once
  one fails no further rule of that field runs;
* otherwise every failing rule adds its message, in declaration order;
* wildcard fields (``items.*.name``) expand over the input array, and errors
  are keyed with Laravel's dot notation (``items.0.name``);
* the attribute shown in a message is the field name with ``_`` replaced by a
  space (``db_host`` -> "db host", ``items.0.storage_id`` -> "items.0.storage id").

Input is expected to be normalised first (see :func:`normalize_input`), as
Laravel's TrimStrings / ConvertEmptyStringsToNull middleware do.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable, Iterable, Optional, Sequence

from croniter import croniter

_MISSING = object()


# --- input normalisation ------------------------------------------------------

# TrimStrings leaves these keys untouched (Laravel's default exception list).
_UNTRIMMED_KEYS = {"password", "password_confirmation", "current_password"}


def normalize_input(value: Any, key: Optional[str] = None) -> Any:
    """Trim strings and turn empty strings into null, recursively."""
    if isinstance(value, dict):
        return {k: normalize_input(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize_input(v) for v in value]
    if isinstance(value, str):
        text = value if key in _UNTRIMMED_KEYS else value.strip()
        return None if text == "" else text
    return value


# --- value coercion shared by rules and handlers ---------------------------------

_INT_RE = re.compile(r"^[+-]?(0|[1-9][0-9]*)$")
_BOOL_VALUES = {"0": False, "1": True, "true": True, "false": False}


def as_integer(value: Any) -> Optional[int]:
    """Value as an int the way PHP's FILTER_VALIDATE_INT sees it, else None."""
    if isinstance(value, bool):
        return None  # true would pass FILTER_VALIDATE_INT; a client sending it has a bug
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if _INT_RE.match(text) else None
    return None


def as_boolean(value: Any) -> Optional[bool]:
    """Value as a bool per Laravel's ``boolean`` rule (plus "true"/"false"), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value in _BOOL_VALUES:
        return _BOOL_VALUES[value]
    return None


def as_date(value: Any) -> Optional[datetime]:
    """Parse ``Y-m-d`` or an ISO-8601 date-time; None when it is not a date."""
    if not isinstance(value, str):
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.combine(date.fromisoformat(value), datetime.min.time())
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def is_cron(value: Any) -> bool:
    """A standard five-field cron expression that can ever fire (croniter-checked)."""
    if not isinstance(value, str) or len(value.split()) != 5:
        return False
    try:
        # strict=True also refuses dates that never come ("0 0 30 2 *").
        return bool(croniter.is_valid(value, strict=True))
    except TypeError:  # croniter releases without the strict flag
        return bool(croniter.is_valid(value))


def display(attribute: str) -> str:
    """Laravel's displayable attribute name."""
    return attribute.replace("_", " ")


# --- rules -------------------------------------------------------------------------


class Context:
    """What a rule may look at: the whole input, the attribute and its rules."""

    def __init__(self, data: dict, attribute: str, rules: Sequence["Rule"]):
        self.data = data
        self.attribute = attribute
        self.rules = rules

    def resolve(self, other: str) -> str:
        """Concrete path of a sibling field: its ``*`` take this attribute's indices."""
        own = self.attribute.split(".")
        parts = other.split(".")
        return ".".join(own[i] if p == "*" and i < len(own) else p for i, p in enumerate(parts))

    def value_of(self, other: str) -> Any:
        """Value of another field (dot path, wildcards resolved), or None."""
        node: Any = self.data
        for part in self.resolve(other).split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def numeric(self) -> bool:
        return any(isinstance(rule, Integer) for rule in self.rules)


class Rule:
    """A validation rule; ``check`` returns an error message or None."""

    implicit = False

    def check(self, attribute: str, value: Any, ctx: Context) -> Optional[str]:  # pragma: no cover
        raise NotImplementedError


def _blank(value: Any) -> bool:
    return value is None or value is _MISSING or (isinstance(value, (str, list, dict)) and len(value) == 0)


class Nullable(Rule):
    """Marker: a null value skips the field's other rules."""

    def check(self, attribute, value, ctx):
        return None


class Required(Rule):
    implicit = True

    def check(self, attribute, value, ctx):
        return f"The {display(attribute)} field is required." if _blank(value) else None


class RequiredIf(Rule):
    """Required when another field equals ``expected``."""

    implicit = True

    def __init__(self, other: str, expected: str):
        self.other, self.expected = other, expected

    def check(self, attribute, value, ctx):
        if ctx.value_of(self.other) == self.expected and _blank(value):
            other = display(ctx.resolve(self.other))
            return f"The {display(attribute)} field is required when {other} is {self.expected}."
        return None


class RequiredUnless(Rule):
    """Required unless another field is one of ``values``.

    ``waived`` lets the caller express the reference's "either this field or
    the individual database fields" escape hatch without changing the message.
    """

    implicit = True

    def __init__(self, other: str, values: Sequence[str], waived: Callable[[dict], bool] = lambda data: False):
        self.other, self.values, self.waived = other, list(values), waived

    def check(self, attribute, value, ctx):
        if ctx.value_of(self.other) in self.values or self.waived(ctx.data):
            return None
        if _blank(value):
            return f"The {display(attribute)} field is required unless {display(ctx.resolve(self.other))} is in {', '.join(self.values)}."
        return None


class String(Rule):
    def check(self, attribute, value, ctx):
        return None if isinstance(value, str) else f"The {display(attribute)} field must be a string."


class Integer(Rule):
    def check(self, attribute, value, ctx):
        return None if as_integer(value) is not None else f"The {display(attribute)} field must be an integer."


class Boolean(Rule):
    def check(self, attribute, value, ctx):
        return None if as_boolean(value) is not None else f"The {display(attribute)} field must be true or false."


class ListOf(Rule):
    """Laravel ``array`` for lists of items (a JSON array)."""

    def check(self, attribute, value, ctx):
        return None if isinstance(value, list) else f"The {display(attribute)} field must be an array."


class Mapping(Rule):
    """Laravel ``array`` for key/value data: a JSON object (an empty ``[]`` too, as PHP encodes it)."""

    def check(self, attribute, value, ctx):
        return None if isinstance(value, dict) or value == [] else f"The {display(attribute)} field must be an array."


class In(Rule):
    def __init__(self, values: Iterable[str]):
        self.values = [str(v) for v in values]

    def check(self, attribute, value, ctx):
        # PHP's in_array compares the string form; arrays never match.
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) in self.values:
            return None
        return f"The selected {display(attribute)} is invalid."


def _size(value: Any, ctx: Context) -> tuple[float, str]:
    """Laravel's getSize(): number, item count or string length, and its unit."""
    if ctx.numeric() and as_integer(value) is not None:
        return as_integer(value), "numeric"
    if isinstance(value, (list, dict)):
        return len(value), "array"
    return len(str(value)), "string"


class Min(Rule):
    def __init__(self, minimum: int):
        self.minimum = minimum

    def check(self, attribute, value, ctx):
        size, unit = _size(value, ctx)
        if size >= self.minimum:
            return None
        suffix = {"numeric": "", "string": " characters", "array": " items"}[unit]
        verb = "have" if unit == "array" else "be"
        return f"The {display(attribute)} field must {verb} at least {self.minimum}{suffix}."


class Max(Rule):
    def __init__(self, maximum: int):
        self.maximum = maximum

    def check(self, attribute, value, ctx):
        size, unit = _size(value, ctx)
        if size <= self.maximum:
            return None
        if unit == "array":
            return f"The {display(attribute)} field must not have more than {self.maximum} items."
        suffix = " characters" if unit == "string" else ""
        return f"The {display(attribute)} field must not be greater than {self.maximum}{suffix}."


class Between(Rule):
    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def check(self, attribute, value, ctx):
        size, unit = _size(value, ctx)
        if self.low <= size <= self.high:
            return None
        suffix = {"numeric": "", "string": " characters", "array": " items"}[unit]
        return f"The {display(attribute)} field must be between {self.low} and {self.high}{suffix}."


class Exists(Rule):
    """The value names an existing record; ``lookup`` decides (team-scoped)."""

    def __init__(self, lookup: Callable[[Any], bool]):
        self.lookup = lookup

    def check(self, attribute, value, ctx):
        return None if self.lookup(value) else f"The selected {display(attribute)} is invalid."


class Cron(Rule):
    def check(self, attribute, value, ctx):
        return None if is_cron(value) else f"The {display(attribute)} field must be a valid cron expression."


class Date(Rule):
    def check(self, attribute, value, ctx):
        return None if as_date(value) is not None else f"The {display(attribute)} field must be a valid date."


class Regex(Rule):
    def __init__(self, pattern: str):
        self.pattern = re.compile(pattern)

    def check(self, attribute, value, ctx):
        if isinstance(value, str) and self.pattern.fullmatch(value):
            return None
        return f"The {display(attribute)} field format is invalid."


class Prohibited(Rule):
    implicit = True

    def check(self, attribute, value, ctx):
        return None if value is _MISSING else f"The {display(attribute)} field is prohibited."


# --- the validator ------------------------------------------------------------------


def _join(prefix: str, key: Any) -> str:
    """The dot path of ``key`` under ``prefix`` (just ``key`` at the top level)."""
    return f"{prefix}.{key}" if prefix else str(key)


def _expand(path: str, data: Any) -> list[tuple[str, Any]]:
    """Concrete (dot path, value) pairs for a possibly wildcarded field path."""
    results = [("", data)]
    for segment in path.split("."):
        expanded = []
        for prefix, node in results:
            if segment == "*":
                if isinstance(node, list):
                    expanded.extend((_join(prefix, i), item) for i, item in enumerate(node))
                elif isinstance(node, dict):
                    expanded.extend((_join(prefix, k), item) for k, item in node.items())
            else:
                if isinstance(node, dict) and segment in node:
                    expanded.append((_join(prefix, segment), node[segment]))
                else:
                    expanded.append((_join(prefix, segment), _MISSING))
        results = expanded
    return results


def validate(data: dict, fields: Sequence[tuple[str, Sequence[Rule]]]) -> dict[str, list[str]]:
    """Validate ``data`` against ``(field path, rules)`` pairs, Laravel style.

    Returns the errors as an ordered ``{attribute: [message, ...]}`` dict
    (empty when the input is valid).
    """
    errors: dict[str, list[str]] = {}
    for path, rules in fields:
        for attribute, value in _expand(path, data):
            messages = _validate_one(attribute, value, rules, Context(data, attribute, rules))
            if messages:
                errors.setdefault(attribute, []).extend(messages)
    return errors


def _validate_one(attribute: str, value: Any, rules: Sequence[Rule], ctx: Context) -> list[str]:
    messages: list[str] = []
    nullable = any(isinstance(rule, Nullable) for rule in rules)
    for rule in rules:
        if not rule.implicit:
            if value is _MISSING:
                continue
            if value is None and nullable:
                continue
        message = rule.check(attribute, value, ctx)
        if message:
            messages.append(message)
            if rule.implicit:
                break  # Laravel stops at a failed required* rule
    return messages
