"""Draft a knowledge article from a closed swarm: what people marked wins, heuristics fill the rest.

Deterministic by construction: messages are ordered by their Slack ts (then by position), every choice
is a sort with a total order, and nothing reads the clock or a random source. Each section records
where it came from, so the draft can say which parts are guesses and which are missing.

The problem is the case's symptom (`symptom`), the resolution is prose and the steps are its list
items, each said once; chat filler is dropped; the article's language is that of most of its problem
and resolution, and the environment's labels follow it. Every field is redacted before it is returned.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge_export.heuristics import (
    CAUSE_THRESHOLD,
    RESOLUTION_THRESHOLD,
    best,
    is_filler,
    prose_and_steps,
    score_messages,
)
from knowledge_export.models import ArticleDraft, Mark, Section, SwarmMessage, SwarmTranscript
from knowledge_export.redaction import Redactor
from knowledge_export.symptom import symptom_text, symptom_title
from knowledge_export.text import clean_slack_text, detect_language, first_sentence, is_emoji_only, versions

MAX_SECTION_CHARS = 6000  # a section longer than this is a transcript, not an article
MAX_STEPS = 30
ENVIRONMENT_LABELS = {"en": ("Product", "Version"), "ko": ("제품", "버전")}


@dataclass(frozen=True, slots=True)
class _Found:
    """A drafted section before redaction: its prose, its steps and whether heuristics chose it."""

    text: str = ""
    steps: tuple[str, ...] = ()
    guessed: bool = False


def draft_article(transcript: SwarmTranscript, *, phone_region: str = "KR") -> ArticleDraft:
    """The redacted draft of one closed swarm; the same transcript always gives the same draft."""
    case = transcript.case
    messages = usable_messages(transcript.messages)
    marked = {mark: [m for m in messages if mark.value in m.marks] for mark in Mark}
    guessed: set[str] = set()
    missing: set[str] = set()

    problem = symptom_text(case.description) or symptom_text(case.subject)
    title = symptom_title(case.subject) or symptom_title(first_sentence(problem))
    if not title:
        title = f"Case {case.number}".strip()
        missing.add(Section.TITLE)
    if not problem:
        missing.add(Section.PROBLEM)

    talk = [m for m in messages if not is_filler(m.text)]
    unmarked_fix = not marked[Mark.RESOLUTION] and not clean_slack_text(transcript.closing_summary)
    scored = score_messages([m.text for m in talk], [m.author_id for m in talk], transcript.owner_id,
                            cause=not marked[Mark.CAUSE], resolution=unmarked_fix)
    resolution = _resolution(transcript, talk, marked, scored)
    cause = _cause(talk, marked, scored, exclude=resolution.text)
    steps = resolution.steps[:MAX_STEPS]
    worded = [problem, resolution.text, *steps] + ([] if Section.TITLE in missing else [title])
    language = detect_language(worded) or case.language or "en"
    environment, environment_guessed = _environment(transcript, messages, marked, language)
    contributors = transcript.credited or _contributors(messages)

    for section, content, was_guessed in (
        (Section.RESOLUTION, resolution.text or steps, resolution.guessed),
        (Section.CAUSE, cause.text, cause.guessed),
        (Section.ENVIRONMENT, environment, environment_guessed),
        (Section.STEPS, steps, resolution.guessed),
        (Section.CONTRIBUTORS, contributors, False),
    ):
        if not content:
            missing.add(section)
        elif was_guessed:
            guessed.add(section)

    # The swarm's own members are people too: their names leave no more than the customer's do.
    people = {m.author_name for m in transcript.messages if not m.is_bot} | {*transcript.credited, transcript.closed_by}
    redactor = Redactor(names=(case.contact_name, case.account), people=sorted(p for p in people if p),
                        phone_region=phone_region)
    return ArticleDraft(
        draft_id=draft_id_for(case.key or case.number),
        title=redactor.redact(title),
        problem=redactor.redact(problem),
        environment=redactor.redact(environment),
        cause=redactor.redact(cause.text),
        resolution=redactor.redact(resolution.text),
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


def _resolution(transcript: SwarmTranscript, talk: list[SwarmMessage], marked: dict[Mark, list[SwarmMessage]],
                scored) -> _Found:
    """The closing summary and the marked resolutions, with marked key notes after them; unmarked, the best
    scored message. Prose and steps are separated, so the steps appear once."""
    summary = clean_slack_text(transcript.closing_summary)
    sources = [m.text for m in marked[Mark.RESOLUTION]]
    guessed = False
    if not sources and not summary:
        pick = best(scored, "resolution", RESOLUTION_THRESHOLD)
        if pick is not None:
            sources, guessed = [talk[pick.index].text], True
    sources += [m.text for m in marked[Mark.KEY_NOTE] if m.text not in sources]
    proses, steps = [prose_and_steps(summary)[0]] if summary else [], []
    for text in sources:
        prose, items = prose_and_steps(text)
        proses.append(prose)
        steps.extend(items)
    return _Found(_join(proses), tuple(_unique(steps)), guessed)


def _cause(talk: list[SwarmMessage], marked: dict[Mark, list[SwarmMessage]], scored, *, exclude: str) -> _Found:
    if marked[Mark.CAUSE]:
        return _Found(_join(prose_and_steps(m.text)[0] or m.text for m in marked[Mark.CAUSE]))
    ranked = sorted((s for s in scored if s.cause >= CAUSE_THRESHOLD), key=lambda s: (-s.cause, -s.index))
    for pick in ranked:
        prose = prose_and_steps(talk[pick.index].text)[0]
        if prose and prose not in exclude:
            return _Found(_join([prose]), guessed=True)
    return _Found()


def _environment(transcript: SwarmTranscript, messages: list[SwarmMessage], marked: dict[Mark, list[SwarmMessage]],
                 language: str) -> tuple[str, bool]:
    """Product from the case; versions from the case first, then from marked, then from any message."""
    product_label, version_label = ENVIRONMENT_LABELS.get(language, ENVIRONMENT_LABELS["en"])
    case = transcript.case
    lines: list[str] = []
    if case.product:
        lines.append(f"{product_label}: {case.product}")
    found = versions(f"{case.subject}\n{case.description}")
    from_messages = False
    if not found:
        marked_text = "\n".join(m.text for mark in Mark for m in marked[mark])
        found = versions(marked_text) or versions("\n".join(m.text for m in messages[:2000]))
        from_messages = bool(found)
    if found:
        lines.append(f"{version_label}: " + ", ".join(found[:3]))
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


def _ts_key(ts: str) -> tuple[int, str, str]:
    """Slack's "seconds.micro" in time order without parsing numbers: digits compare as text at equal length."""
    seconds, _, micro = (ts or "").partition(".")
    return len(seconds), seconds, micro.ljust(6, "0")


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
