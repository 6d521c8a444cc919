"""The one interface every case system (local store, Salesforce, Zendesk) speaks.

Notes travel in batches with an idempotency key each and come back with a result each, because the
remote systems write many records per call and fail per record; the outbox retries only what failed.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ParamSpec, Protocol, TypeVar, runtime_checkable

from vendor_clients.errors import VendorAuthError, VendorError, VendorUnavailable

if TYPE_CHECKING:
    from swarms.case_systems.outcomes import OutcomeComparison
    from swarms.case_systems.search import CaseHit


class NoteKind(enum.StrEnum):
    """What a note delivery does to the case record."""

    ADD = "add"
    EDIT = "edit"  # the text of a note already delivered changed in Slack
    RETRACT = "retract"  # the Slack message was deleted: mark it retracted, never delete silently


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A case as the swarm needs it, whatever system it lives in."""

    key: str  # the system's own id (local: the number; Salesforce: the 18-char Id; Zendesk: ticket id)
    number: str  # what people type and read (CaseNumber, ticket id)
    subject: str
    description: str = ""
    status: str = ""
    priority: str = ""
    product: str = ""
    account: str = ""
    contact_name: str = ""
    contact_email: str = ""
    owner: str = ""  # owner's display name or e-mail, as the system gives it
    category: str = ""
    language: str = ""  # "en", "ko", ... where known
    url: str = ""  # a link a person can open
    is_closed: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NoteToWrite:
    """One internal note to add, edit or retract on a case."""

    idempotency_key: str  # stable across retries: the same key never writes twice
    case_key: str
    author_name: str
    body: str
    created_at: datetime
    kind: NoteKind = NoteKind.ADD
    author_email: str = ""
    external_id: str = ""  # for EDIT and RETRACT: what the system answered when the note was added
    # True when an earlier attempt may have reached the system before we could record it (a crash or
    # a time-out after sending): the adapter must look for the key on the case before writing again.
    maybe_written: bool = False


@dataclass(frozen=True, slots=True)
class NoteResult:
    """What happened to one note of a batch."""

    idempotency_key: str
    ok: bool
    external_id: str = ""  # the system's id for the written note (several joined by "," if split)
    error: str = ""
    retryable: bool = True  # False: retrying cannot help (deleted case, validation error)


@dataclass(frozen=True, slots=True)
class CaseChange:
    """A change made in the case system that the swarm channel should hear about."""

    case_key: str
    field: str  # "status", "priority", "owner", "public_comment"
    old: str
    new: str
    at: datetime
    author: str = ""
    change_id: str = ""  # stable id so a change is posted once


@dataclass(frozen=True, slots=True)
class CheckLine:
    """One line of `case-swarm check`: what works, what is misconfigured, in words."""

    ok: bool
    what: str
    detail: str = ""


class CaseSystemError(Exception):
    """Base of the errors a case system raises; the message is safe to show (no secrets)."""


class CaseNotFound(CaseSystemError):
    def __init__(self, number: str) -> None:
        super().__init__(f"case {number!r} not found")
        self.number = number


class CaseSystemUnavailable(CaseSystemError):
    """The system did not answer, answered 5xx, or is rate limiting us; try again later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CaseSystemAuthError(CaseSystemError):
    """Credentials are wrong or expired and could not be renewed; a person must fix the settings."""


P = ParamSpec("P")
R = TypeVar("R")


def in_case_system_words(method: Callable[P, R]) -> Callable[P, R]:
    """A vendor client's error leaves an adapter as the case system's, which the outbox and the bot answer."""

    @functools.wraps(method)
    def translated(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except VendorUnavailable as exc:
            raise CaseSystemUnavailable(str(exc), retry_after=exc.retry_after) from exc
        except VendorAuthError as exc:
            raise CaseSystemAuthError(str(exc)) from exc
        except VendorError as exc:
            raise CaseSystemError(str(exc)) from exc

    return translated


@runtime_checkable
class CaseSystem(Protocol):
    """A place cases live. Implementations must be safe to call from several threads."""

    name: str  # "local", "salesforce", "zendesk"

    def get_case(self, number: str) -> CaseRecord:
        """Read one case by the number people type (or the system id). Raises CaseNotFound."""
        ...

    def is_closed(self, number: str) -> bool: ...

    def add_notes(self, notes: Sequence[NoteToWrite]) -> list[NoteResult]:
        """Write a batch of internal notes; one result per note, in the same order."""
        ...

    def changes_since(self, case_keys: Sequence[str], since: datetime) -> list[CaseChange]:
        """Changes to these cases made in the case system after `since` (not our own notes)."""
        ...

    def check(self) -> list[CheckLine]:
        """Say in words what works and what is misconfigured."""
        ...

    def search_cases(self, text: str, limit: int = 20) -> list[CaseHit]:
        """Cases whose number starts with, or subject contains, `text`; open ones first."""
        ...

    def closed_case_outcomes(self, start: datetime, end: datetime, swarmed_keys: Sequence[str],
                             elsewhere_keys: Sequence[str]) -> OutcomeComparison:
        """Cases closed in [start, end), swarmed (these keys) against the rest, less the cases another workspace
        swarmed (`elsewhere_keys`), which are neither. Raises CaseSystemError."""
        ...
