"""What goes into a knowledge draft (a closed swarm) and what comes out (a redacted article draft).

Pure data: no Slack, no database. The bot builds a `SwarmTranscript` from the messages it captured; the
review flow shows an `ArticleDraft`, lets a person edit it, and round-trips it through `to_dict()`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any


class Mark(enum.StrEnum):
    """What a person marked a swarm message as (a reaction or a message shortcut in Slack)."""

    RESOLUTION = "resolution"
    CAUSE = "cause"
    KEY_NOTE = "key_note"


class Section(enum.StrEnum):
    """The parts of an article; the names used in `guessed_sections` and `missing_sections`."""

    TITLE = "title"
    PROBLEM = "problem"
    ENVIRONMENT = "environment"
    CAUSE = "cause"
    RESOLUTION = "resolution"
    STEPS = "steps"
    CONTRIBUTORS = "contributors"


@dataclass(frozen=True, slots=True)
class SourceCase:
    """What a draft needs of the case it comes from; the caller converts its own case record to it."""

    key: str  # the case system's own id
    number: str  # what people type and read
    subject: str
    description: str = ""
    product: str = ""
    account: str = ""  # redacted from the article, with the contact
    contact_name: str = ""
    language: str = ""  # "en", "ko", ... where known
    url: str = ""


@dataclass(frozen=True, slots=True)
class SwarmMessage:
    """One message of the swarm channel (or of a thread in it), as captured from events."""

    ts: str  # Slack's "1712345678.000100": orders messages
    author_id: str
    author_name: str
    text: str
    thread_ts: str = ""
    is_bot: bool = False
    marks: frozenset[str] = frozenset()  # Mark values
    files: tuple[str, ...] = ()  # file names only; contents never reach a draft


@dataclass(frozen=True, slots=True)
class SwarmTranscript:
    """A closed swarm: the case, what was said, and who closed it with which summary."""

    case: SourceCase
    messages: tuple[SwarmMessage, ...] = ()
    owner_id: str = ""  # Slack user id of the case owner in the swarm
    closing_summary: str = ""
    closed_by: str = ""  # display name
    closed_at: datetime | None = None
    channel_url: str = ""
    # Display names to credit, in order; empty means "everyone who wrote", most active first.
    credited: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Redaction:
    """One redacted value: its kind, placeholder, a masked hint the review shows, and the original.

    The original stays with the stored draft so a reviewer can restore a false positive (`restore`); it
    never goes into an exported body, and views show the hint, not the original. Who restored it, and
    when, is recorded on it.
    """

    kind: str  # RedactionKind value: "secret", "email", "phone", "card", "iban", "national_id", "address", "name"…
    placeholder: str  # "[EMAIL-1]"
    count: int  # how many times it was replaced across the draft
    hint: str = ""  # "j***@e***.com", "•••• 4242"; for secrets what was found ("Slack token")
    original: str = field(default="", repr=False)  # the text first replaced; kept out of logs and reprs
    restored_by: str = ""  # the reviewer (Slack user id) who put the original back
    restored_at: str = ""  # ISO 8601, UTC

    @property
    def restored(self) -> bool:
        return bool(self.restored_by)

    def restore(self, text: str) -> str:
        """`text` with this placeholder put back to its original: the reviewer's "not personal" choice."""
        return text.replace(self.placeholder, self.original) if self.original else text

    def to_dict(self) -> dict[str, Any]:
        data = {"kind": self.kind, "placeholder": self.placeholder, "count": self.count, "hint": self.hint,
                "original": self.original}
        if self.restored_by:
            data |= {"restored_by": self.restored_by, "restored_at": self.restored_at}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Redaction:
        return cls(
            kind=_text(data, "kind"),
            placeholder=_text(data, "placeholder"),
            count=int(data.get("count", 0)),
            hint=_text(data, "hint"),
            original=_text(data, "original"),
            restored_by=_text(data, "restored_by"),
            restored_at=_text(data, "restored_at"),
        )


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """A knowledge article draft, already redacted. A person reviews and publishes it."""

    title: str
    problem: str
    environment: str = ""
    cause: str = ""
    resolution: str = ""
    steps: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    case_url: str = ""
    case_number: str = ""
    case_key: str = ""  # the case system's own id: what an exporter links the article to
    language: str = "en"
    guessed_sections: frozenset[str] = frozenset()  # drafted by heuristics, not from marks
    missing_sections: frozenset[str] = frozenset()  # nothing found: the reviewer must write them
    redactions: tuple[Redaction, ...] = ()
    # Stable per case: re-exporting a draft with the same id updates its article instead of adding one.
    draft_id: str = ""

    def with_edits(self, **sections: Any) -> ArticleDraft:
        """The draft after a person edited some sections: those are no longer guessed, and missing only if
        the person left them empty (the rendering then still asks for them)."""
        names = {Section(name).value for name in sections}
        emptied = {Section(name).value for name, value in sections.items() if not value}
        return replace(
            self,
            **sections,
            guessed_sections=self.guessed_sections - names,
            missing_sections=(self.missing_sections - names) | emptied,
        )

    def restore(self, placeholder: str, *, by: str, at: str) -> ArticleDraft:
        """The draft with one redacted value put back everywhere it was replaced (a reviewer's call that it
        was a false positive), and that call recorded on the redaction. Unknown or restored: unchanged."""
        found = next((r for r in self.redactions if r.placeholder == placeholder and not r.restored), None)
        if found is None or not found.original:
            return self

        def back(text: str) -> str:
            return text.replace(placeholder, found.original)

        return replace(
            self,
            title=back(self.title),
            problem=back(self.problem),
            environment=back(self.environment),
            cause=back(self.cause),
            resolution=back(self.resolution),
            steps=tuple(back(step) for step in self.steps),
            redactions=tuple(replace(r, restored_by=by, restored_at=at) if r is found else r for r in self.redactions),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data, in a stable key order."""
        return {
            "draft_id": self.draft_id,
            "title": self.title,
            "problem": self.problem,
            "environment": self.environment,
            "cause": self.cause,
            "resolution": self.resolution,
            "steps": list(self.steps),
            "contributors": list(self.contributors),
            "case_url": self.case_url,
            "case_number": self.case_number,
            "case_key": self.case_key,
            "language": self.language,
            "guessed_sections": sorted(self.guessed_sections),
            "missing_sections": sorted(self.missing_sections),
            "redactions": [r.to_dict() for r in self.redactions],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArticleDraft:
        """Read back `to_dict()` output; unknown section names are dropped, wrong types refused."""
        known = {s.value for s in Section}
        return cls(
            draft_id=_text(data, "draft_id"),
            title=_text(data, "title"),
            problem=_text(data, "problem"),
            environment=_text(data, "environment"),
            cause=_text(data, "cause"),
            resolution=_text(data, "resolution"),
            steps=_texts(data, "steps"),
            contributors=_texts(data, "contributors"),
            case_url=_text(data, "case_url"),
            case_number=_text(data, "case_number"),
            case_key=_text(data, "case_key"),
            language=_text(data, "language") or "en",
            guessed_sections=frozenset(_texts(data, "guessed_sections")) & known,
            missing_sections=frozenset(_texts(data, "missing_sections")) & known,
            redactions=tuple(Redaction.from_dict(r) for r in data.get("redactions") or ()),
        )


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected text, got {type(value).__name__}")
    return value


def _texts(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = data.get(key) or ()
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{key}: expected a list of texts")
    return tuple(values)
