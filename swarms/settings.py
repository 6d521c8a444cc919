"""Settings from environment variables (and an optional `.env`), checked once at start-up."""

from __future__ import annotations


class SettingsError(Exception):
    """A missing or malformed setting: one clear line naming it and what is expected."""

    def __init__(self, name: str, expected: str) -> None:
        super().__init__(f"setting {name}: {expected}")
        self.name = name
        self.expected = expected
