"""The one exception the stand-in uses for a Slack `ok: false` answer."""

from __future__ import annotations

from typing import Any


class SlackError(Exception):
    """A Web API error: answered as HTTP 200 `{"ok": false, "error": code, **extra}`."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, **self.extra}
