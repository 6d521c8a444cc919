"""How a Slack note reads on a case record: who and when, the text, and a marker line to find it again.

The marker line (`[case-swarm:<key>]`, or `[case-swarm:<key> 2/3]` on one part of a split note) is what
makes a write idempotent on systems that have no idempotency key of their own: before writing a note
that may already have landed, the adapter reads the case's notes and looks for the marker.

Fields limit their size in different units (Salesforce CaseComment: 4,000 UTF-8 bytes, so Korean text
fits about 1,300 characters; FeedItem: 10,000 characters). `split_note` cuts by either, never inside a
character, preferably at whitespace, and numbers the parts "(1/3)".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from swarms.case_systems.base import NoteKind, NoteToWrite

MARKER_RE = re.compile(r"\[case-swarm:([^\s\]]+)(?: (\d+)/(\d+))?\]")
_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class FoundMarker:
    """A marker read back from a case record: whose note it is and which part."""

    key: str
    part: int = 1
    parts: int = 1


def safe_key(key: str) -> str:
    """The key as it appears in a marker: no whitespace or ']' that would end the marker early."""
    return re.sub(r"[\s\]]", "_", key)


def marker_line(key: str, part: int = 1, parts: int = 1) -> str:
    key = safe_key(key)
    return f"[case-swarm:{key}]" if parts == 1 else f"[case-swarm:{key} {part}/{parts}]"


def find_markers(text: str) -> list[FoundMarker]:
    """Every marker in a stored body (folded Zendesk comments carry several)."""
    found = []
    for match in MARKER_RE.finditer(text or ""):
        part, parts = match.group(2), match.group(3)
        found.append(FoundMarker(match.group(1), int(part or 1), int(parts or 1)))
    return found


def has_marker(text: str) -> bool:
    return MARKER_RE.search(text or "") is not None


def utc_text(at: datetime) -> str:
    """'2026-11-21 16:05 UTC'; naive datetimes are taken as UTC."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%d %H:%M UTC")


def header_line(note: NoteToWrite) -> str:
    """The first line of every note: a reader of the case sees who said it in Slack, and when."""
    when = utc_text(note.created_at)
    if note.kind == NoteKind.EDIT:
        return f"{note.author_name} (Slack, edited {when}):"
    return f"{note.author_name} (Slack, {when}):"


def retracted_line(note: NoteToWrite) -> str:
    return f"[retracted in Slack at {utc_text(note.created_at)} by {note.author_name}]"


def byte_size(text: str) -> int:
    return len(text.encode("utf-8"))


def _measure(unit: str):
    if unit == "bytes":
        return byte_size
    if unit == "chars":
        return len
    raise ValueError(f"unit must be 'bytes' or 'chars', not {unit!r}")


def _fit(text: str, budget: int, unit: str) -> int:
    """How many characters of `text` fit in `budget` units (never splits a character)."""
    if unit == "chars":
        return min(len(text), budget)
    used = 0
    for index, char in enumerate(text):
        used += len(char.encode("utf-8"))
        if used > budget:
            return index
    return len(text)


def split_text(text: str, budget: int, unit: str = "bytes") -> list[str]:
    """Cut `text` into pieces of at most `budget` units, at whitespace where one is near the end."""
    if budget < 8:
        raise ValueError("budget too small to split into readable parts")
    pieces: list[str] = []
    rest = text
    while _measure(unit)(rest) > budget:
        cut = _fit(rest, budget, unit)
        window = rest[:cut]
        spaces = [m.start() for m in _WHITESPACE.finditer(window)]
        # Prefer a whitespace in the second half of the window; otherwise a hard cut is better than
        # a tiny part.
        if spaces and spaces[-1] >= cut // 2:
            cut = spaces[-1]
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        pieces.append(piece)
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def compose(header: str, text: str, key: str, part: int = 1, parts: int = 1) -> str:
    numbered = f"({part}/{parts}) " if parts > 1 else ""
    return f"{numbered}{header}\n{text}\n{marker_line(key, part, parts)}"


def split_note(header: str, text: str, key: str, limit: int, unit: str = "bytes") -> list[str]:
    """Whole bodies (header, text, marker), each within `limit`; numbered "(i/n)" when more than one."""
    measure = _measure(unit)
    single = compose(header, text, key)
    if measure(single) <= limit:
        return [single]
    digits = 1
    while True:
        widest = 10**digits - 1
        overhead = measure(compose(header, "", key, widest, widest))
        pieces = split_text(text, limit - overhead, unit)
        if len(pieces) <= widest:
            break
        digits += 1
    total = len(pieces)
    return [compose(header, piece, key, index, total) for index, piece in enumerate(pieces, start=1)]


def fold(sections: Iterable[str]) -> str:
    """Several notes as one comment (Zendesk limits updates per ticket), each section keeps its marker."""
    return "\n\n---\n\n".join(sections)
