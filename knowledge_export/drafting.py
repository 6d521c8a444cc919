"""Draft a knowledge article from a closed swarm: what people marked wins, heuristics fill the rest.

Deterministic by construction: messages are ordered by their Slack ts (then by position), every choice
is a sort with a total order, and nothing reads the clock or a random source. Each section records
where it came from, so the draft can say which parts are guesses and which are missing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from knowledge_export.models import ArticleDraft, Mark, Section, SwarmMessage, SwarmTranscript
from knowledge_export.redaction import Redactor
from knowledge_export.text import (
    clean_slack_text,
    detect_language,
    first_sentence,
    is_emoji_only,
    list_items,
    symptom_title,
    versions,
)

MAX_SECTION_CHARS = 6000  # a section longer than this is a transcript, not an article
MAX_PICKED = 3  # heuristics take at most this many messages for one section
MAX_STEPS = 30

_RESOLUTION_CUES = re.compile(
    r"fixed by|\bfix(?:ed)?\b|resolved|solution|workaround|the fix|solved|resolution|"
    r"해결|조치|수정(?:했|됨|하였|완료)|복구|우회",
    re.I,
)
_CAUSE_CUES = re.compile(r"root cause|caused by|\bcause\b|because|due to|the reason|turned out|원인|때문|탓", re.I)
_QUESTION = re.compile(r"[?？]\s*$")


def draft_article(transcript: SwarmTranscript) -> ArticleDraft:
    """The redacted draft of one closed swarm; the same transcript always gives the same draft."""
    case = transcript.case
    messages = usable_messages(transcript.messages)
    marked = {mark: [m for m in messages if mark.value in m.marks] for mark in Mark}
    guessed: set[str] = set()
    missing: set[str] = set()

    title = symptom_title(case.subject) or symptom_title(first_sentence(case.description))
    if not title:
        title = f"Case {case.number}".strip()
        missing.add(Section.TITLE)

    problem = _join([case.subject if not case.description else "", case.description])
    if not problem:
        missing.add(Section.PROBLEM)

    resolution, resolution_guessed = _resolution(transcript, messages, marked)
    cause, cause_guessed = _cause(messages, marked, exclude=resolution)
    environment, environment_guessed = _environment(transcript, messages, marked)
    step_sources = [m.text for m in marked[Mark.RESOLUTION] + marked[Mark.KEY_NOTE]] + [resolution]
    steps = tuple(_unique(item for text in step_sources for item in list_items(text)))[:MAX_STEPS]
    steps_guessed = resolution_guessed and not marked[Mark.RESOLUTION] and not marked[Mark.KEY_NOTE]
    contributors = transcript.credited or _contributors(messages)

    for section, text, was_guessed in (
        (Section.RESOLUTION, resolution, resolution_guessed),
        (Section.CAUSE, cause, cause_guessed),
        (Section.ENVIRONMENT, environment, environment_guessed),
        (Section.STEPS, steps, steps_guessed),
        (Section.CONTRIBUTORS, contributors, False),
    ):
        if not text:
            missing.add(section)
        elif was_guessed:
            guessed.add(section)

    redactor = Redactor(names=(case.contact_name, case.account))
    language = case.language or detect_language([case.subject, case.description, resolution])
    return ArticleDraft(
        draft_id=draft_id_for(case.key or case.number),
        title=redactor.redact(title),
        problem=redactor.redact(problem),
        environment=redactor.redact(environment),
        cause=redactor.redact(cause),
        resolution=redactor.redact(resolution),
        steps=tuple(redactor.redact(step) for step in steps),
        contributors=tuple(contributors),
        case_url=case.url,
        case_number=case.number,
        case_key=case.key,
        language=language,
        guessed_sections=frozenset(guessed),
        missing_sections=frozenset(missing),
        redactions=redactor.redactions,
    )


def draft_id_for(case_key: str) -> str:
    """Stable per case, safe in a file name: re-exporting the same case updates the same article."""
    return "kb-" + hashlib.sha256(case_key.encode("utf-8")).hexdigest()[:12]


def usable_messages(messages: Sequence[SwarmMessage]) -> list[SwarmMessage]:
    """People's messages in time order, cleaned of Slack markup; bots and emoji-only messages dropped."""
    ordered = sorted(enumerate(messages), key=lambda item: (_ts_key(item[1].ts), item[0]))
    usable = []
    for _, message in ordered:
        if message.is_bot:
            continue
        text = clean_slack_text(message.text)
        if not text or is_emoji_only(text):
            continue
        usable.append(message if text == message.text else _with_text(message, text))
    return usable


def _resolution(
    transcript: SwarmTranscript, messages: list[SwarmMessage], marked: dict[Mark, list[SwarmMessage]]
) -> tuple[str, bool]:
    """Marked resolutions, else the closing summary (written as the resolution), else a guess."""
    summary = clean_slack_text(transcript.closing_summary)
    if marked[Mark.RESOLUTION]:
        texts = [m.text for m in marked[Mark.RESOLUTION]]
        return _join([summary, *texts] if summary and summary not in texts else texts), False
    if summary:
        return summary, False
    cued = [m for m in messages if _RESOLUTION_CUES.search(m.text) and not _QUESTION.search(m.text)]
    if cued:
        return _join(m.text for m in cued[-MAX_PICKED:]), True
    owners = [m for m in messages if m.author_id == transcript.owner_id and not _QUESTION.search(m.text)]
    if transcript.owner_id and owners:
        return _join(m.text for m in owners[-2:]), True
    return "", False


def _cause(messages: list[SwarmMessage], marked: dict[Mark, list[SwarmMessage]], *, exclude: str) -> tuple[str, bool]:
    if marked[Mark.CAUSE]:
        return _join(m.text for m in marked[Mark.CAUSE]), False
    cued = [m for m in messages if _CAUSE_CUES.search(m.text) and not _QUESTION.search(m.text)]
    cued = [m for m in cued if m.text not in exclude] or cued
    if cued:
        return _join(m.text for m in cued[-MAX_PICKED:]), True
    return "", False


def _environment(
    transcript: SwarmTranscript, messages: list[SwarmMessage], marked: dict[Mark, list[SwarmMessage]]
) -> tuple[str, bool]:
    """Product from the case; versions from the case first, then from marked, then from any message."""
    case = transcript.case
    lines: list[str] = []
    if case.product:
        lines.append(f"Product: {case.product}")
    found = versions(f"{case.subject}\n{case.description}")
    from_messages = False
    if not found:
        marked_text = "\n".join(m.text for mark in Mark for m in marked[mark])
        found = versions(marked_text) or versions("\n".join(m.text for m in messages[:2000]))
        from_messages = bool(found)
    if found:
        lines.append("Version: " + ", ".join(found[:3]))
    return "\n".join(lines), from_messages


def _contributors(messages: Iterable[SwarmMessage]) -> tuple[str, ...]:
    """Everyone who wrote, most active first (ties: who spoke first)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    names: dict[str, str] = {}
    for position, message in enumerate(messages):
        key = message.author_id or message.author_name
        counts[key] += 1
        first.setdefault(key, position)
        names.setdefault(key, message.author_name or message.author_id)
    ranked = sorted(counts, key=lambda key: (-counts[key], first[key]))
    return tuple(_unique(names[key] for key in ranked if names[key]))


def _join(texts: Iterable[str]) -> str:
    parts = list(_unique(t.strip() for t in texts if t and t.strip()))
    joined = "\n\n".join(parts)
    if len(joined) <= MAX_SECTION_CHARS:
        return joined
    return joined[:MAX_SECTION_CHARS].rsplit(" ", 1)[0] + " …"


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            result.append(item)
    return result


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micro = (ts or "").partition(".")
    try:
        return int(seconds or 0), int((micro or "0").ljust(6, "0")[:6])
    except ValueError:
        return 0, 0


def _with_text(message: SwarmMessage, text: str) -> SwarmMessage:
    return SwarmMessage(
        ts=message.ts,
        author_id=message.author_id,
        author_name=message.author_name,
        text=text,
        thread_ts=message.thread_ts,
        is_bot=message.is_bot,
        marks=message.marks,
        files=message.files,
    )
