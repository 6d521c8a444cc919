"""What the redactor's detectors share (kinds, findings, pattern rules), and the e-mail and IP rules.

Each rule finds candidates with a regular expression, then a check decides. Lookarounds are ASCII
classes, never `\\b`: in Python `\\b` treats Hangul as a word character, so "10.2.3.4로" would not match.
The other detectors live beside this module: secrets (`secret_rules`), checksummed numbers and phones
(`number_rules`), addresses (`address_rules`) and names (`name_rules`).
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol


class RedactionKind(enum.StrEnum):
    """What a redacted value was; its upper-cased value names the placeholder ("[NATIONAL_ID-1]")."""

    SECRET = "secret"
    EMAIL = "email"
    IBAN = "iban"
    CARD = "card"
    NATIONAL_ID = "national_id"  # resident registration, business registration and other national numbers
    IP = "ip"
    PHONE = "phone"
    ADDRESS = "address"
    NAME = "name"


# A span of the text to replace (relative to the string searched), or None to leave the match alone.
Span = tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Finding:
    """A value a detector wants replaced: where it is, what it is, and what the reviewer is told."""

    start: int
    end: int
    kind: RedactionKind
    label: str


class Detector(Protocol):
    """Anything that finds values to redact in a text (a pattern rule, the phone matcher, the name finder)."""

    def find(self, text: str) -> Iterable[Finding]: ...


@dataclass(frozen=True, slots=True)
class Rule:
    """A regular expression for candidates and a pick that keeps a span (or None) after its check."""

    kind: RedactionKind
    label: str  # what the reviewer reads for secrets ("Slack token"); also names the rule in tests
    pattern: re.Pattern[str]
    pick: Callable[[re.Match[str]], Span]

    def find(self, text: str) -> Iterator[Finding]:
        for match in self.pattern.finditer(text):
            span = self.pick(match)
            if span is not None:
                yield Finding(span[0], span[1], self.kind, self.label)


def whole(match: re.Match[str]) -> Span:
    return match.span()


def group(name: str) -> Callable[[re.Match[str]], Span]:
    def pick(match: re.Match[str]) -> Span:
        for key in (name, f"{name}_q1", f"{name}_q2"):
            if key in match.re.groupindex and match.group(key) is not None:
                return match.span(key)
        return None

    return pick


PLACEHOLDER = re.compile(r"\[(?:SECRET|EMAIL|IBAN|CARD|NATIONAL_ID|IP|PHONE|ADDRESS|NAME)(?:-\d+)?\]")


# --- e-mail and IP addresses --------------------------------------------------------------------------

_VERSION_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:v|version|ver\.?|build|fw|firmware|release|rev|revision|update|patch|driver|agent|client|"
    r"sdk|app|os|ios|android|windows|chrome|firefox|edge|safari|java|node|python|버전|펌웨어|빌드|패치|업데이트|드라이버)"
    r"\s*[:=]?\s*$",
    re.I,
)
_IP_CONTEXT = re.compile(
    r"\b(?:ip|ips|ipv4|host|hostname|server|address|addr|gateway|gw|dns|proxy|vpn|subnet|ping|connect(?:ed|s|ing)?|"
    r"from|source|src|dst|destination|client|peer|remote|nat|whitelist|allowlist|firewall|lan|wan)\b|"
    r"아이피|주소|서버|접속|게이트웨이|방화벽|호스트",
    re.I,
)
_VERSION_CONTEXT = re.compile(
    r"\b(?:v?\d+\.\d+\.\d+(?:\.\d+)?|versions?|builds?|releases?|upgrade[ds]?|downgrade[ds]?|firmware|hotfix|"
    r"patch(?:ed|es)?|still has|fixed in|introduced in)\b|버전|펌웨어|빌드|패치|업데이트|업그레이드",
    re.I,
)
# Versions in the line around a quad, and no host words in its clause, make it a version.
_CLAUSE_BEFORE = re.compile(r"[^;,\n]{0,80}$")
_CLAUSE_AFTER = re.compile(r"[^;,\n]{0,80}")
_LINE_BEFORE = re.compile(r"[^\n]{0,160}$")
_LINE_AFTER = re.compile(r"[^\n]{0,160}")
# Loopback, broadcast and the public DNS resolvers everyone configures identify no one.
_NOT_PERSONAL_IPS = frozenset(
    {"0.0.0.0", "127.0.0.1", "255.255.255.255", "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9"}
)


def _ipv4(match: re.Match[str]) -> Span:
    """A dotted quad is an address unless it reads as a version number.

    It is a version after a version word ("firmware 1.2.10.4", "Chrome 120.0.1.5"), with a suffix
    ("1.2.3.4-beta"), or in a sentence about versions and not about hosts ("1.2.9.8 still has it").
    A port or a prefix length after it, or host words around it, make it an address; so does no context.
    """
    text, string = match.group(), match.string
    if text in _NOT_PERSONAL_IPS or text.startswith("255."):
        return None  # netmasks and loopback say nothing
    before = string[max(0, match.start() - 16) : match.start()]
    after = string[match.end() : match.end() + 2]
    if _VERSION_BEFORE.search(before) or re.match(r"[-+][A-Za-z]", after):
        return None
    if after.startswith("/") and text.endswith(".0"):
        return None  # a network ("10.0.0.0/8"), not a host
    if re.match(r"[:/]\d", after):
        return match.span()  # a port or a prefix length
    start, end = match.span()
    clause = _CLAUSE_BEFORE.search(string, 0, start).group() + " " + _CLAUSE_AFTER.match(string, end).group()
    line = _LINE_BEFORE.search(string, 0, start).group() + " " + _LINE_AFTER.match(string, end).group()
    if _VERSION_CONTEXT.search(line) and not _IP_CONTEXT.search(clause):
        return None
    return match.span()


def _ipv6(match: re.Match[str]) -> Span:
    text = match.group()
    try:
        address = ipaddress.IPv6Address(text.split("%")[0])
    except ValueError:
        return None
    groups = [g for g in text.split(":") if g]
    # "add::" and "dead::beef" are valid addresses but far likelier to be words or code.
    if address.is_loopback or address.is_unspecified or not any(c.isdigit() for c in text):
        return None
    if re.fullmatch(r"(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}", text) or len(groups) < 2:
        return None  # a MAC address, or too little to be an address
    return match.span()


PATTERN_RULES: tuple[Rule, ...] = (
    Rule(
        RedactionKind.EMAIL,
        "e-mail address",
        re.compile(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
            r"(?![A-Za-z0-9-]|:[\w~/.-])"  # "git@github.com:acme/repo.git" is a remote, not a mailbox
        ),
        whole,
    ),
)

IP_RULES: tuple[Rule, ...] = (
    Rule(
        RedactionKind.IP,
        "IPv6 address",
        re.compile(
            r"(?<![0-9A-Za-z_:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})"
            r"(?:%[A-Za-z0-9]+)?(?![0-9A-Za-z_:]|\.\d)"
        ),
        _ipv6,
    ),
    Rule(
        RedactionKind.IP,
        "IPv4 address",
        re.compile(
            r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)"
        ),
        _ipv4,
    ),
)
