"""An article draft as Markdown or HTML, with headings in the reader's language and guesses flagged.

All draft text is treated as untrusted (it came from chat): HTML output escapes every value, and
Markdown output escapes what a Markdown renderer would turn into HTML or structure.
"""

from __future__ import annotations

import html
import json
import re

from knowledge_export.models import ArticleDraft, Section
from knowledge_export.text import first_sentence

HEADINGS: dict[str, dict[str, str]] = {
    "en": {
        Section.PROBLEM: "Problem",
        Section.ENVIRONMENT: "Environment",
        Section.CAUSE: "Cause",
        Section.RESOLUTION: "Resolution",
        Section.STEPS: "Steps",
        Section.CONTRIBUTORS: "Contributors",
        "case": "Case",
        "guessed": "drafted automatically, please check",
        "missing": "Not found in the swarm: please write this part.",
    },
    "ko": {
        Section.PROBLEM: "문제",
        Section.ENVIRONMENT: "환경",
        Section.CAUSE: "원인",
        Section.RESOLUTION: "해결 방법",
        Section.STEPS: "단계",
        Section.CONTRIBUTORS: "기여자",
        "case": "케이스",
        "guessed": "자동 추정, 확인 필요",
        "missing": "스웜에서 찾지 못했습니다. 이 부분을 작성해 주세요.",
    },
}
BODY_SECTIONS = (Section.PROBLEM, Section.ENVIRONMENT, Section.CAUSE, Section.RESOLUTION, Section.STEPS)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")
_MD_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s)", re.M)


def headings(lang: str) -> dict[str, str]:
    return HEADINGS.get((lang or "en").split("-")[0].lower(), HEADINGS["en"])


def to_markdown(draft: ArticleDraft, lang: str = "") -> str:
    """Markdown with a small front matter (read back by the folder exporter to find similar articles)."""
    words = headings(lang or draft.language)
    front = {"title": draft.title, "draft_id": draft.draft_id, "case": draft.case_number, "summary": summary(draft)}
    lines = ["---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()), "---", ""]
    lines += [f"# {md_escape(draft.title)}", ""]
    for section in BODY_SECTIONS:
        lines.append(f"## {words[section]}{_md_flag(draft, section, words)}")
        lines.append("")
        if section in draft.missing_sections:
            lines.append(f"_{words['missing']}_")
        elif section == Section.STEPS:
            lines += [f"{number}. {md_escape(step)}" for number, step in enumerate(draft.steps, 1)]
        else:
            paragraphs = [p for p in getattr(draft, section).split("\n\n") if p.strip()]
            lines.append("\n\n".join(md_escape(p).replace("\n", "  \n") for p in paragraphs))
        lines.append("")
    if draft.contributors:
        lines += [f"## {words[Section.CONTRIBUTORS]}", "", ", ".join(md_escape(c) for c in draft.contributors), ""]
    if draft.case_url or draft.case_number:
        label = md_escape(f"{words['case']} {draft.case_number}".strip())
        lines += [f"[{label}]({_url(draft.case_url)})" if _url(draft.case_url) else label, ""]
    return "\n".join(lines)


def to_html(draft: ArticleDraft, lang: str = "", *, full_page: bool = True) -> str:
    """HTML with every value escaped; `full_page=False` gives the article body for a knowledge base."""
    words = headings(lang or draft.language)
    esc = html.escape
    parts: list[str] = []
    for section in BODY_SECTIONS:
        flag = f' <small class="guessed">({esc(words["guessed"])})</small>' if section in draft.guessed_sections else ""
        parts.append(f"<h2>{esc(words[section])}{flag}</h2>")
        if section in draft.missing_sections:
            parts.append(f'<p class="missing"><em>{esc(words["missing"])}</em></p>')
        elif section == Section.STEPS:
            parts.append("<ol>" + "".join(f"<li>{esc(step)}</li>" for step in draft.steps) + "</ol>")
        else:
            text = getattr(draft, section)
            parts += [f"<p>{esc(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip()]
    if draft.contributors:
        parts.append(f"<h2>{esc(words[Section.CONTRIBUTORS])}</h2>")
        parts.append(f"<p>{esc(', '.join(draft.contributors))}</p>")
    if draft.case_url or draft.case_number:
        label = esc(f"{words['case']} {draft.case_number}".strip())
        link = f'<a href="{esc(_url(draft.case_url))}">{label}</a>' if _url(draft.case_url) else label
        parts.append(f"<p>{link}</p>")
    body = "\n".join(parts)
    if not full_page:
        return body
    code = esc((lang or draft.language or "en").split("-")[0])
    return (
        f'<!DOCTYPE html>\n<html lang="{code}">\n<head><meta charset="utf-8"><title>{esc(draft.title)}</title>'
        f"</head>\n<body>\n<h1>{esc(draft.title)}</h1>\n{body}\n</body>\n</html>\n"
    )


def summary(draft: ArticleDraft, limit: int = 1000) -> str:
    """One short paragraph for a knowledge base's Summary field: the problem and the resolution's start."""
    parts = [first_sentence(draft.problem) or draft.title, first_sentence(draft.resolution)]
    text = " ".join(p for p in parts if p)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def md_escape(text: str) -> str:
    """Markdown that shows the text as written: no injected HTML, links, headings or list markers."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def _md_flag(draft: ArticleDraft, section: str, words: dict[str, str]) -> str:
    return f" _({words['guessed']})_" if section in draft.guessed_sections else ""


def _url(url: str) -> str:
    """Only http(s) links: a draft's case link must not become javascript: or data:."""
    return url if re.match(r"https?://", url or "", re.I) else ""
