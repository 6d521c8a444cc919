"""Web API arguments as slack_sdk sends them: JSON bodies, form fields and query strings, all as one mapping."""

from __future__ import annotations

import base64
import json
from typing import Any

from slack_standin.errors import SlackError

MAX_LIMIT = 1000


class Args:
    """Typed reads over the merged arguments; a missing required one is Slack's `invalid_arguments`."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def str(self, name: str, *, required: bool = False, default: str = "") -> str:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise SlackError("invalid_arguments", response_metadata={
                    "messages": [f"[ERROR] missing required field: {name}"]})
            return default
        return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict | list) else str(value)

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        return value is True or str(value).lower() in ("true", "1")

    def int(self, name: str, default: int) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None

    def json(self, name: str) -> Any:
        """A structured argument: already parsed in a JSON body, a JSON string in a form."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise SlackError("invalid_arguments", response_metadata={
                    "messages": [f"[ERROR] failed to parse {name} as JSON"]}) from None
        return value

    def csv(self, name: str) -> list[str]:
        value = self.values.get(name)
        if isinstance(value, list):
            return [str(v) for v in value]
        return [part.strip() for part in self.str(name).split(",") if part.strip()]


def page(items: list[Any], args: Args, *, default_limit: int = 100) -> tuple[list[Any], str]:
    """One page of `items` and the next cursor ("" at the end), like Slack's cursor pagination."""
    limit = args.int("limit", default_limit) or default_limit
    if limit < 0:
        raise SlackError("invalid_limit")
    limit = min(limit, MAX_LIMIT)
    start = decode_cursor(args.str("cursor"))
    chunk = items[start:start + limit]
    has_more = start + limit < len(items)
    return chunk, encode_cursor(start + limit) if has_more else ""


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        kind, _, offset = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
        if kind != "offset":
            raise ValueError(kind)
        return int(offset)
    except ValueError:
        raise SlackError("invalid_cursor") from None
