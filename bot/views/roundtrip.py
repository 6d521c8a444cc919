"""One bounded, typed codec for every value that makes a Slack round trip: button values, option values,
modal private_metadata.

What comes back may be forged. Before parsing, the raw text is held to the limit of the place it travels
in and its nesting depth is counted, so `"[" * 3000` is refused without any recursion; after parsing,
each field is checked against the dataclass that declares it: ids are positive and fit the database's
integer, texts fit their columns and patterns, lists and mappings have a size. Anything else raises
RoundTripRefused (a ValueError), which listeners answer with a clear message.

    @dataclass(frozen=True, slots=True)
    class DraftRef(RoundTrip):
        draft_id: int = slot("d", DB_ID)
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import MISSING, field, fields, replace
from typing import Any, ClassVar, Self

from bot.views.blocks import MAX_BUTTON_VALUE

MAX_DEPTH = 4  # the deepest any of our values nests
DB_INT_MAX = 2**31 - 1  # PostgreSQL `integer`: every id column


class RoundTripRefused(ValueError):
    """A round-trip value that is not one we wrote: too long, too deep, not JSON, or a field out of bounds."""


# ---------------------------------------------------------------- field checks


class Check:
    """How one field is read back (and written): `parse` refuses what it does not accept."""

    def parse(self, value: object) -> Any:
        raise NotImplementedError

    def dump(self, value: Any) -> object:
        return value


class Whole(Check):
    def __init__(self, least: int, most: int) -> None:
        self.least, self.most = least, most

    def parse(self, value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not self.least <= value <= self.most:
            raise RoundTripRefused(f"expected a whole number from {self.least} to {self.most}")
        return value


class OneOf(Check):
    def __init__(self, allowed: Collection[object]) -> None:
        self.allowed = allowed

    def parse(self, value: object) -> Any:
        if isinstance(value, bool) or value not in self.allowed:
            raise RoundTripRefused("not one of the allowed values")
        return value


class Text(Check):
    def __init__(self, most: int, *, pattern: str | None = None, required: bool = False) -> None:
        self.most, self.required = most, required
        self.pattern = re.compile(pattern) if pattern else None

    def parse(self, value: object) -> str:
        if value is None and not self.required:
            return ""
        if not isinstance(value, str) or len(value) > self.most or (self.required and not value):
            raise RoundTripRefused(f"expected a text of at most {self.most} characters")
        if value and self.pattern is not None and not self.pattern.fullmatch(value):
            raise RoundTripRefused("text of the wrong shape")
        return value


class Maybe(Check):
    """None stays None (for example a text left out because it did not fit)."""

    def __init__(self, inner: Check) -> None:
        self.inner = inner

    def parse(self, value: object) -> Any:
        return None if value is None else self.inner.parse(value)


class ListOf(Check):
    def __init__(self, item: Check, *, most: int, least: int = 0) -> None:
        self.item, self.most, self.least = item, most, least

    def parse(self, value: object) -> tuple:
        if value is None and self.least == 0:
            return ()
        if not isinstance(value, list) or not self.least <= len(value) <= self.most:
            raise RoundTripRefused(f"expected a list of {self.least} to {self.most} items")
        return tuple(self.item.parse(item) for item in value)

    def dump(self, value: Any) -> object:
        return [self.item.dump(item) for item in value]


class MappingOf(Check):
    """A JSON object read into a tuple of (key, value) pairs, keys from `keys`."""

    def __init__(self, keys: Collection[str], value: Check, *, most: int) -> None:
        self.keys, self.value, self.most = keys, value, most

    def parse(self, value: object) -> tuple:
        if not isinstance(value, dict) or len(value) > self.most or not set(value) <= set(self.keys):
            raise RoundTripRefused("unexpected keys")
        return tuple((key, self.value.parse(item)) for key, item in value.items())

    def dump(self, value: Any) -> object:
        return {key: self.value.dump(item) for key, item in value}


class Record(Check):
    """A small JSON object of known keys, kept as a dict (a file's name and permalink)."""

    def __init__(self, **checks: Check) -> None:
        self.checks = checks

    def parse(self, value: object) -> dict:
        if not isinstance(value, dict) or not set(value) <= set(self.checks):
            raise RoundTripRefused("unexpected record")
        return {key: check.parse(value.get(key)) for key, check in self.checks.items()}


USER_PATTERN = r"[UW][A-Z0-9]{2,31}"
CHANNEL_PATTERN = r"[CDG][A-Z0-9]{2,31}"
TS_PATTERN = r"\d{1,12}\.\d{1,8}"
DB_ID = Whole(1, DB_INT_MAX)
SLACK_USER = Text(32, pattern=USER_PATTERN, required=True)
SLACK_CHANNEL = Text(32, pattern=CHANNEL_PATTERN, required=True)
SLACK_TS = Text(24, pattern=TS_PATTERN, required=True)
CASE_NUMBER = Text(64)


def slot(key: str, check: Check, *, default: Any = MISSING) -> Any:
    """A dataclass field that crosses the round trip under JSON key `key`, read back through `check`."""
    metadata = {"key": key, "check": check}
    return field(metadata=metadata) if default is MISSING else field(default=default, metadata=metadata)


def action_value(body: dict) -> str:
    """The clicked button's (or picked option's) raw value, to be read back through a RoundTrip or
    `id_from_text`; longer than a button value can be, it is refused here."""
    action = (body.get("actions") or [{}])[0]
    value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
    if not isinstance(value, str) or len(value) > MAX_BUTTON_VALUE:
        raise RoundTripRefused("expected a button value")
    return value


def id_from_text(raw: object) -> int:
    """An id given as text (a select option's value): ASCII digits only, within the database's integer."""
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        raise RoundTripRefused("expected an id")
    return DB_ID.parse(int(raw))


# ---------------------------------------------------------------- the codec


class RoundTrip:
    """Base of the frozen dataclasses that cross a round trip; `LIMIT` is the place's size limit."""

    __slots__ = ()
    LIMIT: ClassVar[int] = MAX_BUTTON_VALUE

    def dumps(self) -> str:
        return self._encode()

    def dumps_dropping(self, **fallback: Any) -> str:
        """`dumps`, or with `fallback` values (what can be read again elsewhere) when too long."""
        try:
            return self._encode()
        except RoundTripRefused:
            return replace(self, **fallback)._encode()

    def _encode(self) -> str:
        data = {f.metadata["key"]: f.metadata["check"].dump(getattr(self, f.name)) for f in fields(self)}
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if len(encoded) > self.LIMIT:
            raise RoundTripRefused(f"{type(self).__name__} is over Slack's {self.LIMIT}-character limit")
        return encoded

    @classmethod
    def loads(cls, raw: object) -> Self:
        data = load_object(raw, cls.LIMIT)
        values = {}
        for f in fields(cls):  # type: ignore[arg-type]
            key, check = f.metadata["key"], f.metadata["check"]
            if key not in data and f.default is not MISSING:
                values[f.name] = f.default
                continue
            values[f.name] = check.parse(data.get(key))
        return cls(**values)


def load_object(raw: object, limit: int) -> Mapping[str, object]:
    """The JSON object in `raw`, bounded in length and depth before it is parsed."""
    if not isinstance(raw, str) or not raw or len(raw) > limit:
        raise RoundTripRefused("missing or over-long value")
    if nesting_depth(raw) > MAX_DEPTH:
        raise RoundTripRefused("value nested too deep")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise RoundTripRefused("not JSON") from None
    if not isinstance(data, dict):
        raise RoundTripRefused("not a JSON object")
    return data


def nesting_depth(raw: str) -> int:
    """How deep `[` and `{` nest outside strings: counted, never recursed."""
    depth = deepest = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
