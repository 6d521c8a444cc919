"""What every vendor client raises; the case-system adapters and the exporters put it in their own words."""

from __future__ import annotations


class VendorError(Exception):
    """A vendor's API refused or failed a call; the message is safe to show (no secrets)."""


class VendorUnavailable(VendorError):
    """The API did not answer, answered 5xx, or is rate limiting us; try again later (never a sleep here)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class VendorAuthError(VendorError):
    """Credentials are wrong or expired and could not be renewed; a person must fix the settings."""


class IncompleteConfig(ValueError):
    """The settings given to a client cannot work together; names the setting and what it expects."""

    def __init__(self, name: str, expected: str) -> None:
        super().__init__(f"{name}: {expected}")
        self.name = name
        self.expected = expected
