"""Replace personal data and secrets with typed placeholders before a draft leaves the workspace.

A `Redactor` is used for one draft: the same e-mail address becomes `[EMAIL-1]` in every section, and
the reviewer gets one `Redaction` per distinct value, with a masked hint and never the value itself.
The detection rules and their checks live in `detectors`; this module applies them and the names.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge_export.address_rules import ADDRESS_RULES
from knowledge_export.detectors import IP_RULES, PATTERN_RULES, PLACEHOLDER, Detector, RedactionKind
from knowledge_export.models import Redaction
from knowledge_export.name_rules import NameFinder
from knowledge_export.number_rules import NUMBER_RULES, PhoneDetector, SplitCardDetector
from knowledge_export.secret_rules import SECRET_RULES

# Words that name the legal form, not the company: "Acme GmbH" is found as "Acme" too, "GmbH" alone is not.


@dataclass(frozen=True, slots=True)
class RedactedText:
    text: str
    redactions: tuple[Redaction, ...]


def redact(text: str, *, names: Iterable[str] = (), people: Iterable[str] = (), phone_region: str = "KR",
           keep: Iterable[str] = ()) -> RedactedText:
    """Redact one text on its own (a fresh numbering of placeholders)."""
    redactor = Redactor(names=names, people=people, phone_region=phone_region, keep=keep)
    return RedactedText(redactor.redact(text), redactor.redactions)


def by_kind(redactions: Iterable[Redaction]) -> dict[str, tuple[Redaction, ...]]:
    """The redactions grouped by kind, kinds in the order first seen: what the review lists."""
    groups: dict[str, list[Redaction]] = {}
    for redaction in redactions:
        groups.setdefault(redaction.kind, []).append(redaction)
    return {kind: tuple(group) for kind, group in groups.items()}


# Numbers written without a country code are also read as US numbers: the one other region support
# teams here mostly hear from; the team's own region (a setting) comes first.
_FALLBACK_PHONE_REGIONS = ("US",)


class Redactor:
    """Redacts many texts with one consistent set of placeholders; `redactions` lists what it replaced.

    `names` are the case's contact and account names (any of their written forms), `people` the swarm's
    own members; `phone_region` reads phone numbers written without a country code; `keep` holds values a
    reviewer restored, which are never redacted again.
    """

    def __init__(self, *, names: Iterable[str] = (), people: Iterable[str] = (), phone_region: str = "KR",
                 keep: Iterable[str] = ()) -> None:
        self._placeholders: dict[tuple[str, str], str] = {}
        self._details: dict[str, tuple[str, str, str]] = {}  # placeholder -> (kind, hint, original)
        self._counts: dict[str, int] = {}
        self._numbers: dict[str, int] = {}
        self._keep = frozenset(" ".join(value.split()).casefold() for value in keep if value and value.strip())
        # Secrets first, so a token's digits are gone before the number rules look; names last.
        self._detectors: tuple[Detector, ...] = (
            *SECRET_RULES, *PATTERN_RULES, *NUMBER_RULES, SplitCardDetector(), *IP_RULES,
            PhoneDetector((phone_region, *_FALLBACK_PHONE_REGIONS)), *ADDRESS_RULES, NameFinder([*names, *people]),
        )

    @property
    def redactions(self) -> tuple[Redaction, ...]:
        """What was replaced so far, in the order first seen."""
        return tuple(
            Redaction(kind=kind, placeholder=placeholder, count=self._counts[placeholder], hint=hint,
                      original=original)
            for placeholder, (kind, hint, original) in self._details.items()
        )

    def redact(self, text: str) -> str:
        if not text:
            return text
        text = text.replace(_MARK, "").replace("\ue001", "")  # our sentinels cannot come from outside
        # Found values become private-use sentinels first, so no later rule sees (or re-matches) them, and
        # placeholders are numbered in reading order at the end rather than in the order of the rules.
        found: list[tuple[RedactionKind, str, str]] = []
        for detector in self._detectors:
            text = self._apply(detector, text, found)
        if not found:
            return text
        return _SENTINEL.sub(lambda m: self._placeholder(*found[_index(m)]), text)

    def _apply(self, detector: Detector, text: str, found: list[tuple[RedactionKind, str, str]]) -> str:
        pieces: list[str] = []
        last = 0
        for finding in sorted(detector.find(text), key=lambda f: (f.start, -f.end)):
            if finding.start < last or finding.end <= finding.start:
                continue
            value = text[finding.start : finding.end]
            if PLACEHOLDER.fullmatch(value) or _MARK in value or self._kept(value):
                continue
            if finding.kind is RedactionKind.NAME:
                if self._kept(finding.label):
                    continue
                value = finding.label  # every form of a name ("Mina", "MINA PARK", "박미나") is one person
            pieces.append(text[last : finding.start])
            pieces.append(_sentinel(found, finding.kind, value, finding.label))
            last = finding.end
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def _kept(self, value: str) -> bool:
        return bool(self._keep) and " ".join(value.split()).casefold() in self._keep

    def _placeholder(self, kind: RedactionKind, value: str, label: str) -> str:
        """The same placeholder for the same value, in every text this redactor sees."""
        key = (kind.value, _normalise(kind, value))
        placeholder = self._placeholders.get(key)
        if placeholder is None:
            number = self._numbers.get(kind.value, 0) + 1
            self._numbers[kind.value] = number
            placeholder = f"[{kind.value.upper()}-{number}]"
            self._placeholders[key] = placeholder
            self._details[placeholder] = (kind.value, hint(kind, value, label), value)
        self._counts[placeholder] = self._counts.get(placeholder, 0) + 1
        return placeholder


_MARK = "\ue000"
_BASE = 0xE100
_SENTINEL = re.compile("\ue000([\ue100-\uf0ff]{2})\ue001")


def _sentinel(found: list[tuple[RedactionKind, str, str]], kind: RedactionKind, value: str, label: str) -> str:
    index = len(found)
    found.append((kind, value, label))
    return f"{_MARK}{chr(_BASE + index // 4096)}{chr(_BASE + index % 4096)}\ue001"


def _index(match: re.Match[str]) -> int:
    high, low = match.group(1)
    return (ord(high) - _BASE) * 4096 + ord(low) - _BASE


def _normalise(kind: RedactionKind, value: str) -> str:
    """One placeholder per distinct value, however it was written."""
    if kind in (RedactionKind.PHONE, RedactionKind.CARD):
        return re.sub(r"\D", "", value)
    if kind is RedactionKind.IBAN:
        return re.sub(r"\s", "", value).upper()
    if kind is RedactionKind.IP:
        try:
            return ipaddress.ip_address(value.split("%")[0]).compressed
        except ValueError:
            return value.lower()
    if kind is RedactionKind.EMAIL:
        return value.lower()
    if kind is RedactionKind.NAME:
        return value.casefold()
    return value


def hint(kind: RedactionKind, value: str, label: str) -> str:
    """What the reviewer reads: enough to recognise the value, too little to recover it."""
    if kind in (RedactionKind.SECRET, RedactionKind.NATIONAL_ID):
        return label
    if kind is RedactionKind.ADDRESS:
        first = value.split()[0]
        return f"{first} …" if first.isalpha() else f"{label} …"  # the city or province, not the street
    if kind is RedactionKind.EMAIL:
        local, _, domain = value.partition("@")
        host, _, tld = domain.rpartition(".")
        return f"{local[:1]}***@{host[:1]}***.{tld}"
    if kind in (RedactionKind.CARD, RedactionKind.PHONE):
        digits = re.sub(r"\D", "", value)
        return f"•••• {digits[-2:]}" if kind is RedactionKind.PHONE else f"•••• {digits[-4:]}"
    if kind is RedactionKind.IBAN:
        compact = re.sub(r"\s", "", value)
        return f"{compact[:2].upper()}•• •••• {compact[-2:]}"
    if kind is RedactionKind.IP:
        return "IPv6 •••" if ":" in value else f"{value.split('.')[0]}.•.•.•"
    return " ".join(f"{part[:1]}***" for part in value.split())  # a name: the full name's initials
