"""The problem as a symptom: what a customer saw, without the letter around it.

A case description is a message to support: it opens with a greeting ("Hello team,", "안녕하세요,
고객님 문의입니다"), has prefixes ("Customer reports:", "[URGENT]", "문의:"), contact lines ("Call back
on …", "연락처 …", "Reported by … (e-mail, phone)"), notes about attachments, and ends with a
signature ("Thanks, Mina", "감사합니다."). None of that belongs in an article's Problem section, and
most of it is personal. What is left is the symptom, in the customer's words.
"""

from __future__ import annotations

import re

from knowledge_export.text import sentences

PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|답장|전달)\s*:\s*|\[[^\]]{0,40}\]\s*|\((?:urgent|긴급|중요)\)\s*|"
    r"(?:urgent|asap|p[0-4]|sev\s?[0-4]|긴급|중요|case\s*#?\d+)\s*[:\-–]\s*|"
    r"(?:the\s+)?(?:customer|client|user|caller)s?\s+(?:reports?|reported|says?|said|states?|asks?|writes?|"
    r"complains?|mentions?)\s*(?:that\s*)?[:\-–]?\s*|"
    r"(?:help|assistance)\s+(?:needed|required)\s*(?::|with|for)?\s*|"
    r"(?:issue|problem|question|symptom|description|subject|summary)\s*:\s*|"
    r"(?:[^\s:]{1,12}\s+){0,3}고객님?\s*(?:의\s*)?문의(?:입니다|드립니다|사항입니다)?\s*[.:\-]?\s*|"
    r"고객\s*(?:문의|요청|불만|불편)\s*(?:사항)?\s*[:\-]?\s*|문의\s*(?:사항|내용)?\s*[:\-]\s*|증상\s*[:\-]\s*)",
    re.I,
)
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear|greetings|good\s+(?:morning|afternoon|evening|day))\b[^.!?\n]{0,40}[,.!:]?\s*$|"
    r"(?:hi|hello|hey|dear)\b[^,.!?\n]{0,30}[,!]\s*|"
    r"안녕하(?:세요|십니까)[^.!?\n]{0,20}[.!,]?\s*|수고(?:하십니다|많으십니다)[.!,]?\s*|"
    r"(?:i hope|hope) (?:you(?:'re| are) well|this finds you well)[^.!?\n]*[.!]?\s*)",
    re.I,
)
_CONTACT = re.compile(
    r"\b(?:call(?:\s+(?:me|us|him|her|them))?\s+(?:back\s+)?(?:on|at)|call\s*back|callback|contact(?:ed)?\s*(?:me|us|"
    r"number|info|details|person|:)|reach (?:me|us|him|her)|phone\s*(?:number)?\s*[:#]|tel\s*[:.]|mobile\s*[:#]|"
    r"e-?mail (?:me|us|him|her)|reported by|submitted by|raised by|on behalf of|best (?:way|number) to reach)\b|"
    r"연락처|연락\s*(?:부탁|주세요|바랍니다|드립니다)|회신\s*(?:부탁|바랍니다|주세요)|전화\s*(?:번호|부탁|주세요|바랍니다)|"
    r"휴대폰|핸드폰|담당자\s*[:：]|이메일\s*[:：]",
    re.I,
)
_ATTACHMENT = re.compile(
    r"\b(?:see|please find|i(?:'ve| have)?)?\s*(?:the\s+)?(?:attached|attachment|enclosed)\b|"
    r"첨부(?:합니다|했습니다|드립니다|파일|해\s*드립니다)",
    re.I,
)
_SIGNATURE = re.compile(
    r"^\s*(?:--+|__+|(?:many\s+)?thanks(?:\s+(?:in advance|a lot))?|thank you(?:\s+in advance)?|(?:best|kind|warm)?\s*"
    r"regards|best|cheers|sincerely|br|sent from my\b.*|감사합니다|고맙습니다|수고하세요|잘 부탁드립니다|"
    r"부탁드립니다|좋은 하루 되세요)\b[\s,.!~]*$",
    re.I,
)
_PLACEHOLDER = re.compile(r"\[[A-Z_]+-\d+\]")
_WORD = re.compile(r"[^\W_]")


MAX_TITLE = 120
_LETTER = re.compile(r"[^\W\d_]")


def symptom_title(subject: str) -> str:
    """The case subject as a customer would search for it: no "RE:", tags, "Customer reports:" or "문의:"."""
    title = _strip_prefixes(" ".join((subject or "").split())).strip(" .,:;!-–—")
    if not _LETTER.search(title):
        return ""
    if len(title) > MAX_TITLE:
        title = title[:MAX_TITLE].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return title[:1].upper() + title[1:]


def symptom_text(description: str) -> str:
    """The description without greetings, prefixes, contact lines, attachment notes and signature."""
    lines = [line.strip() for line in (description or "").split("\n")]
    lines = _without_signature(lines)
    kept: list[str] = []
    for line in lines:
        line = _strip_prefixes(line)
        if not line:
            continue
        pieces = [s for s in sentences(line) if _is_symptom(s)]
        if pieces:
            kept.append(" ".join(_strip_prefixes(p) for p in pieces))
    text = "\n".join(k for k in kept if k).strip()
    return text[:1].upper() + text[1:]


def _strip_prefixes(line: str) -> str:
    previous = None
    while previous != line:
        previous = line
        line = _GREETING.sub("", line, count=1)
        line = PREFIX.sub("", line, count=1).strip()
    return line


def _is_symptom(sentence: str) -> bool:
    if _CONTACT.search(sentence) or _ATTACHMENT.search(sentence) or _SIGNATURE.match(sentence):
        return False
    bare = _PLACEHOLDER.sub("", sentence)
    return bool(_WORD.search(bare)) and not _GREETING.fullmatch(sentence)


def _without_signature(lines: list[str]) -> list[str]:
    """Everything from a sign-off line near the end ("Thanks,", "-- ", "감사합니다.") on is the signature."""
    for index in range(max(0, len(lines) - 5), len(lines)):
        if _SIGNATURE.match(lines[index]):
            return lines[:index]
    return lines
