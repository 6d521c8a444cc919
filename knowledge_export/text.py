"""Small text helpers for drafting: Slack markup, emoji, list items, versions, sentences, language, slugs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_LINK_LABEL = re.compile(r"<((?:https?|mailto):[^|>]+)\|([^>]+)>")
_LINK = re.compile(r"<((?:https?|mailto):[^>]+)>")
_SPECIAL = re.compile(r"<!(?:here|channel|everyone)(?:\|[^>]*)?>")
_SHORTCODE = re.compile(r":[a-z0-9_+'-]+:(?::skin-tone-\d:)?")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))

# "1. do", "2) do", "- do", "* do", "• do", "① do", "Step 3: do", "3단계: do"
_LIST_ITEM = re.compile(
    r"^[ \t>]*(?:\d{1,2}[.)]|[-*•▪◦‣]|[①-⑳]|(?:step|단계)\s*\d{1,2}\s*[:.)]|\d{1,2}\s*단계\s*[:.)]?)"
    r"[ \t]+(?P<item>\S.*)$",
    re.I | re.M,
)
_VERSION = re.compile(
    r"(?:(?<![A-Za-z0-9])(?:v|ver\.?|version|build|firmware|fw|release|버전|펌웨어|빌드)\s*[:=]?\s*)"
    r"(?P<labelled>\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.]+)?)"
    r"|(?<![\d.A-Za-z])(?P<bare>\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.]+)?)(?![\d.]*\d)",
    re.I,
)
_HANGUL = re.compile(r"[가-힣]")
_WORD = re.compile(r"[^\W\d_]+")


def clean_slack_text(text: str) -> str:
    """Slack's message markup as plain text: mentions dropped, links as 'label (url)', entities decoded."""
    if not text:
        return ""
    text = _MENTION.sub("", text)
    text = _SPECIAL.sub("", text)
    text = _CHANNEL.sub(r"#\1", text)
    text = _LINK_LABEL.sub(lambda m: m.group(2) if m.group(2) == m.group(1) else f"{m.group(2)} ({m.group(1)})", text)
    text = _LINK.sub(r"\1", text)
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    lines = [
        " ".join(line.split()) if not line.startswith(("    ", "\t")) else line.rstrip() for line in text.split("\n")
    ]
    return "\n".join(lines).strip()


def is_emoji_only(text: str) -> bool:
    """Nothing but emoji, shortcodes (':+1:'), punctuation and spaces: a reaction typed as a message."""
    rest = _SHORTCODE.sub("", text)
    return not any(unicodedata.category(char)[0] in "LN" for char in rest)


def list_items(text: str) -> list[str]:
    """The numbered or bulleted items of a text, in order, without their markers."""
    if not text:
        return []
    return [" ".join(m.group("item").split()) for m in _LIST_ITEM.finditer(text)]


def versions(text: str) -> list[str]:
    """Version numbers, labelled ('firmware 3.2', 'v2.4') or dotted with three parts ('3.1.4'), first seen first."""
    found: list[str] = []
    for match in _VERSION.finditer(text or ""):
        value = match.group("labelled") or match.group("bare")
        if value and value not in found:
            found.append(value)
    return found


# A sentence ends at . ! ? 。 … (or a Korean "다." / "요.") followed by a space, but not after a list
# number ("1.") or a common abbreviation, and never inside a version ("3.2").
_SENTENCE_END = re.compile(r"(?<=[.!?。…])\s+")
_NOT_AN_END = re.compile(r"(?:^|\s)(?:\d{1,2}|[A-Za-z]|e\.g|i\.e|vs|etc|approx|no|fig|cf|mr|mrs|ms|dr)\.$", re.I)


def sentences(text: str) -> list[str]:
    """The sentences of a text, in order; list items and line breaks end a sentence too."""
    found: list[str] = []
    for line in (text or "").split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        start = 0
        for match in _SENTENCE_END.finditer(line):
            piece = line[start : match.start()]
            if _NOT_AN_END.search(piece):
                continue
            found.append(piece)
            start = match.end()
        if line[start:]:
            found.append(line[start:])
    return found


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else ""


def cut_at_sentence(text: str, limit: int) -> str:
    """At most `limit` characters of whole sentences; one sentence longer than that is cut at a word, with …."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in sentences(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if kept:
        return kept
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def detect_language(texts: Iterable[str]) -> str:
    """'ko' when at least as many words are Korean as English, else 'en' ("" when there are no words).

    Words, not letters: a Hangul syllable carries what two or three Latin letters do. Codes and acronyms
    (E-21, FW, BMS, [NAME-1]) are left out, as Korean support text is full of them."""
    korean = english = 0
    for text in texts:
        for word in _WORD.findall(text or ""):
            if _HANGUL.search(word):
                korean += 1
            elif len(word) > 1 and not word.isupper():
                english += 1
    if not korean and not english:
        return ""
    return "ko" if korean >= english else "en"


def slugify(text: str, *, max_length: int = 60, ascii_only: bool = False) -> str:
    """A URL and file-name safe slug. Hangul is kept, or with `ascii_only` (Salesforce UrlName wants ASCII)
    written in Revised Romanization, so a Korean title still gives a name that means something."""
    text = unicodedata.normalize("NFKC", text or "")
    if ascii_only and _HANGUL.search(text):
        text = romanize(text)
    text = text.lower()
    slug = re.sub(r"[^0-9a-z]+" if ascii_only else r"[^0-9a-z가-힣]+", "-", text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "article"


def romanize(text: str) -> str:
    """Hangul in the Revised Romanization of Korean (korean-romanizer); other characters as they are."""
    from korean_romanizer.romanizer import Romanizer  # imported on first use: only Korean titles need it

    return Romanizer(text).romanize()
