"""The article that leaves for a knowledge base, as Markdown, HTML, or plain parts for the Slack preview.

Only the article leaves: its title, problem, environment, cause, resolution and steps, with headings in
the article's own language. What a reviewer needs besides (guessed and missing flags, contributors, the
case link, the redactions) is never rendered here; it stays in the Slack review. Crediting contributors
is an option (`ArticleOptions.credit_contributors`), off by default. Every exporter and the review's
preview take the same `article_parts`, so the preview shows exactly what leaves.

All draft text is treated as untrusted (it came from chat): HTML output escapes every value, and
Markdown output escapes what a Markdown renderer would turn into HTML or structure.
"""

from __future__ import annotations

import html
import ipaddress
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from knowledge_export.models import ArticleDraft, Section
from knowledge_export.text import cut_at_sentence, list_items, sentences

HEADINGS: dict[str, dict[str, str]] = {
    "en": {
        Section.PROBLEM: "Problem",
        Section.ENVIRONMENT: "Environment",
        Section.CAUSE: "Cause",
        Section.RESOLUTION: "Resolution",
        Section.STEPS: "Steps",
        Section.CONTRIBUTORS: "Contributors",
    },
    "ko": {
        Section.PROBLEM: "문제",
        Section.ENVIRONMENT: "환경",
        Section.CAUSE: "원인",
        Section.RESOLUTION: "해결 방법",
        Section.STEPS: "단계",
        Section.CONTRIBUTORS: "기여자",
    },
}
# What the review once wrote into empty sections: never part of an article, whoever typed it back.
REVIEW_PROMPTS = (
    "Not found in the swarm: please write this part.",
    "스웜에서 찾지 못했습니다. 이 부분을 작성해 주세요.",
    "drafted automatically, please check",
    "자동 추정, 확인 필요",
)
ARTICLE_SECTIONS = (Section.PROBLEM, Section.ENVIRONMENT, Section.CAUSE, Section.RESOLUTION, Section.STEPS)
PLACEHOLDER = re.compile(r"\[[A-Z]+-\d+\]")
_URL = re.compile(r"\(?\bhttps?://[^\s<>()]+(?:\([^\s<>()]*\)[^\s<>()]*)*\)?", re.I)
_INTERNAL_HOST = re.compile(
    r"(?:^|\.)(?:slack\.com|slack-edge\.com|slack-files\.com|force\.com|salesforce\.com|"
    r"[^.]+\.(?:internal|local|lan|corp|intranet|home\.arpa))$",
    re.I,
)
_INTERNAL_PATH = re.compile(r"/(?:agent/tickets|lightning/r|archives|hc/admin)/", re.I)
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")
_MD_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s)", re.M)


@dataclass(frozen=True, slots=True)
class ArticleOptions:
    """How articles are rendered for a knowledge base (settings, not per draft)."""

    credit_contributors: bool = False  # name the swarm's contributors at the end of the article


DEFAULT_OPTIONS = ArticleOptions()

@dataclass(frozen=True, slots=True)
class ArticlePart:
    """One section of the article as it leaves: a heading and paragraphs, or numbered steps."""

    section: Section
    heading: str
    paragraphs: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()


def headings(lang: str) -> dict[str, str]:
    return HEADINGS.get((lang or "en").split("-")[0].lower(), HEADINGS["en"])


def article_parts(draft: ArticleDraft, options: ArticleOptions = DEFAULT_OPTIONS) -> list[ArticlePart]:
    """The sections that leave, in order: empty, missing or placeholder-only ones are left out, and internal
    links are taken out of the text. Steps with no resolution text take the Resolution heading."""
    words = headings(draft.language)
    parts: list[ArticlePart] = []
    for section in ARTICLE_SECTIONS:
        if section == Section.STEPS:
            steps = tuple(s for s in (publishable(step, draft) for step in draft.steps) if not placeholder_only(s))
            if steps:
                has_resolution = any(p.section == Section.RESOLUTION for p in parts)
                heading = words[Section.STEPS if has_resolution else Section.RESOLUTION]
                parts.append(ArticlePart(Section.STEPS, heading, steps=steps))
            continue
        if section in draft.missing_sections:
            continue
        text = publishable(getattr(draft, section.value), draft)
        if placeholder_only(text):
            continue
        paragraphs = tuple(p.strip() for p in text.split("\n\n") if p.strip())
        parts.append(ArticlePart(section, words[section], paragraphs))
    if options.credit_contributors and draft.contributors:
        parts.append(ArticlePart(Section.CONTRIBUTORS, words[Section.CONTRIBUTORS], (", ".join(draft.contributors),)))
    return parts


def publishable(text: str, draft: ArticleDraft | None = None) -> str:
    """The text without internal links (Slack, the case system, intranet hosts) and review prompts."""
    if not text:
        return ""
    for prompt in REVIEW_PROMPTS:
        text = text.replace(f"({prompt})", "").replace(prompt, "")
    case_url = draft.case_url if draft else ""

    def link(match: re.Match[str]) -> str:
        url = match.group().strip("()")
        return "" if is_internal_link(url, case_url) else match.group()

    text = _URL.sub(link, text)
    lines = [re.sub(r"[ \t]+([.,;:)])", r"\1", re.sub(r"[ \t]{2,}", " ", line)).rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def is_internal_link(url: str, case_url: str = "") -> bool:
    """A link only staff can open: Slack, the case record, the case system, intranet and private hosts."""
    url = url.rstrip(".,;:!?")
    if case_url and url.startswith(case_url.rstrip("/")):
        return True
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return True
    if not host or "." not in host or _INTERNAL_HOST.search(host) or _INTERNAL_PATH.search(parts.path or ""):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def placeholder_only(text: str) -> bool:
    """Nothing a reader could use: empty, or only redaction placeholders, review prompts and punctuation."""
    rest = PLACEHOLDER.sub("", publishable(text))
    return not _LETTER_OR_DIGIT.search(rest)


def to_markdown(draft: ArticleDraft, options: ArticleOptions = DEFAULT_OPTIONS) -> str:
    """Markdown with a small front matter (read back by the folder exporter to find similar articles)."""
    parts = article_parts(draft, options)
    front = {"title": draft.title, "draft_id": draft.draft_id, "language": draft.language,
             "summary": summary_of(parts)}
    lines = ["---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()), "---", ""]
    lines += [f"# {md_escape(draft.title)}", ""]
    for part in parts:
        lines += [f"## {part.heading}", ""]
        if part.steps:
            lines += [f"{number}. {md_escape(step)}" for number, step in enumerate(part.steps, 1)]
        else:
            lines.append("\n\n".join(md_escape(p).replace("\n", "  \n") for p in part.paragraphs))
        lines.append("")
    return "\n".join(lines)


def to_html(draft: ArticleDraft, options: ArticleOptions = DEFAULT_OPTIONS, *, full_page: bool = True) -> str:
    """HTML with every value escaped; `full_page=False` gives the article body for a knowledge base."""
    esc = html.escape
    body: list[str] = []
    for part in article_parts(draft, options):
        body.append(f"<h2>{esc(part.heading)}</h2>")
        if part.steps:
            body.append("<ol>" + "".join(f"<li>{esc(step)}</li>" for step in part.steps) + "</ol>")
        else:
            body += [f"<p>{esc(p).replace(chr(10), '<br>')}</p>" for p in part.paragraphs]
    text = "\n".join(body)
    if not full_page:
        return text
    code = esc((draft.language or "en").split("-")[0])
    return (
        f'<!DOCTYPE html>\n<html lang="{code}">\n<head><meta charset="utf-8"><title>{esc(draft.title)}</title>'
        f"</head>\n<body>\n<h1>{esc(draft.title)}</h1>\n{text}\n</body>\n</html>\n"
    )


def summary(draft: ArticleDraft, limit: int = 1000, options: ArticleOptions = DEFAULT_OPTIONS) -> str:
    """One short paragraph for a knowledge base's Summary field, cut at a sentence."""
    return summary_of(article_parts(draft, options), limit) or cut_at_sentence(draft.title, limit)


def summary_of(parts: list[ArticlePart], limit: int = 1000) -> str:
    """The problem's first sentence and the resolution's (its first step when it has only steps)."""
    found: dict[Section, str] = {}
    for part in parts:
        prose = "\n".join(line for p in part.paragraphs for line in p.split("\n") if not list_items(line))
        first = next(iter(sentences(prose)), "") or next(iter(part.steps), "")
        if part.section in (Section.PROBLEM, Section.RESOLUTION) and first:
            found[part.section] = first
        elif part.section == Section.STEPS and Section.RESOLUTION not in found and first:
            found[Section.RESOLUTION] = first
    return cut_at_sentence(" ".join(found[s] for s in (Section.PROBLEM, Section.RESOLUTION) if s in found), limit)


def md_escape(text: str) -> str:
    """Markdown that shows the text as written: no injected HTML, links, headings or list markers."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)
