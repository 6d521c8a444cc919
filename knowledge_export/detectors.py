"""The patterns the redactor looks for, each with the check that keeps it from eating ordinary text.

Each rule finds candidates with a regular expression, then a check decides (a Luhn sum for cards, mod-97
for IBANs, `ipaddress` for IPs, "is this an order number?" for phones). Lookarounds are ASCII classes,
never `\\b`: in Python `\\b` treats Hangul as a word character, so "010-1234-5678로" would not match.
Rules run in order; secrets first, so that a token's digits are gone before the card and phone rules
look at the text.
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


def when(test: Callable[[str, re.Match[str]], bool]) -> Callable[[re.Match[str]], Span]:
    def pick(match: re.Match[str]) -> Span:
        return match.span() if test(match.group(), match) else None

    return pick


PLACEHOLDER = re.compile(r"\[(?:SECRET|EMAIL|IBAN|CARD|NATIONAL_ID|IP|PHONE|ADDRESS|NAME)(?:-\d+)?\]")


# --- checks -------------------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_ok(compact: str) -> bool:
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in moved)
    return int(number) % 97 == 1


def _card(text: str, match: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", text)
    return 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_ok(digits)


def _iban(match: re.Match[str]) -> Span:
    """The longest validating prefix that ends on a group boundary (a number may follow the IBAN)."""
    text = match.group()
    start = match.start()
    cut = len(text)
    while cut >= 15:
        compact = re.sub(r"\s", "", text[:cut]).upper()
        if iban_ok(compact):
            return start, start + cut
        cut = text.rfind(" ", 0, cut) if " " in text[:cut] else cut - 1
    return None


_VERSION_BEFORE = re.compile(r"(?:\bv|version|ver\.?|build|fw|firmware|release|버전|펌웨어|빌드)\s*[:=]?\s*$", re.I)
_NOT_PERSONAL_IPS = frozenset({"0.0.0.0", "127.0.0.1", "255.255.255.255"})


def _ipv4(text: str, match: re.Match[str]) -> bool:
    before = match.string[max(0, match.start() - 12) : match.start()]
    if _VERSION_BEFORE.search(before):
        return False  # "firmware 1.2.10.4" is a version, not an address
    return text not in _NOT_PERSONAL_IPS and not text.startswith("255.")  # netmasks say nothing


def _ipv6(text: str, match: re.Match[str]) -> bool:
    try:
        address = ipaddress.IPv6Address(text.split("%")[0])
    except ValueError:
        return False
    groups = [g for g in text.split(":") if g]
    # "add::" and "dead::beef" are valid addresses but far likelier to be words or code.
    if address.is_loopback or address.is_unspecified or not any(c.isdigit() for c in text):
        return False
    return len(groups) >= 2


_ID_LABEL_BEFORE = re.compile(
    r"(?:order|case|ticket|invoice|serial|s/n|sn|part|model|ref|reference|po|tracking|rma|build|version|"
    r"account|acct|customer|cust|sku|lot|batch|주문|송장|운송장|케이스|티켓|일련|시리얼|모델|빌드|버전|계정|고객)"
    r"\s*(?:no\.?|number|num|#|id|번호)?\s*[:#=.]?\s*$",
    re.I,
)


def _phone(text: str, match: re.Match[str]) -> bool:
    before = match.string[max(0, match.start() - 24) : match.start()]
    if _ID_LABEL_BEFORE.search(before):
        return False  # "order 415-555-0132" is an order number, whatever it looks like
    digits = re.sub(r"\D", "", text)
    return 8 <= len(digits) <= 15 and len(set(digits)) > 2


def looks_random(value: str) -> bool:
    """A token, not a word: long enough and mixing at least two of lower, upper, digits, symbols."""
    classes = (
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
        any(not c.isalnum() for c in value),
    )
    return len(value) >= 8 and sum(classes) >= 2 and not value.isalpha()


def _looks_random_or_mixed(text: str, match: re.Match[str]) -> bool:
    has = (any(c.islower() for c in text), any(c.isupper() for c in text), any(c.isdigit() for c in text))
    return all(has)


def _secret_value(match: re.Match[str]) -> Span:
    """The value after a password/token label, unless it is empty, a placeholder, or (after "is") a word."""
    span = group("value")(match)
    if span is None:
        return None
    value = match.string[span[0] : span[1]]
    if not value.strip() or PLACEHOLDER.fullmatch(value.strip("\"'")):
        return None
    if match.group("verb") and not any(not c.isalpha() for c in value):
        return None  # "the password is expired" names no password
    return span


_VERSION_NUMBER = re.compile(r"v?\d+(?:\.\d+)+", re.I)


def _spoken_secret(match: re.Match[str]) -> Span:
    """ "the service password hunter2-SECRET": a label, a space, then something no word looks like."""
    value = match.group("value").rstrip(".:!?)")
    has_digit = any(c.isdigit() for c in value)
    has_letter_or_mark = any(c.isalpha() or not c.isalnum() for c in value)
    if len(value) < 6 or not has_digit or not has_letter_or_mark or PLACEHOLDER.fullmatch(value):
        return None  # "reset the password twice", "token 2 of 3", "password 3.2" name no secret
    if _VERSION_NUMBER.fullmatch(value):
        return None
    start = match.start("value")
    return start, start + len(value)


def _bearer(match: re.Match[str]) -> Span:
    span = match.span("value")
    return span if looks_random(match.group("value")) else None


# --- patterns -----------------------------------------------------------------------------------------

_SECRET_LABELS = (
    r"aws_secret_access_key|secret[_ -]?access[_ -]?key|client[_ -]?secret|signing[_ -]?secret|"
    r"api[_ -]?key|apikey|api[_ -]?token|access[_ -]?token|auth[_ -]?token|refresh[_ -]?token|"
    r"private[_ -]?key|secret[_ -]?key|passphrase|password|passwd|pwd|secret|token|"
    r"비밀번호|패스워드|암호|비번|토큰|인증키|API\s?키|시크릿"
)
_KEY_VALUE = re.compile(
    rf"(?<![A-Za-z0-9_])(?:{_SECRET_LABELS})"
    r"(?:[\"']?[ \t]*(?:=>|[:=：])[ \t]*|(?P<verb>[ \t]+(?:is|was)[ \t]+)"
    r"|(?<=[가-힣])(?:은|는|이|가)?[ \t]*(?:[:=：][ \t]*)?(?=[!-~]))"
    r"(?:\"(?P<value_q1>[^\"\n]{1,200})\"|'(?P<value_q2>[^'\n]{1,200})'|(?P<value>[^\s\"'<>&,;가-힣]{1,200}))",
    re.I,
)

# The same labels with only a space before the value, as people write in chat; `_spoken_secret` keeps
# the values no word or version number looks like.
_SPOKEN_KEY_VALUE = re.compile(
    rf"(?<![A-Za-z0-9_])(?:{_SECRET_LABELS})[ \t]+(?P<value>[^\s\"'<>&,;가-힣]{{4,200}})",
    re.I,
)

SECRET_RULES: tuple[Rule, ...] = (
    Rule(
        RedactionKind.SECRET,
        "private key",
        re.compile(
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?"
            r"(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)",
            re.S,
        ),
        whole,
    ),
    Rule(
        RedactionKind.SECRET,
        "password in a URL",
        re.compile(r"(?<=://)[^\s:/@]+:(?P<value>[^\s@/]+)(?=@)"),
        group("value"),
    ),
    Rule(
        RedactionKind.SECRET,
        "Slack webhook",
        re.compile(r"(?<=hooks\.slack\.com/services/)[A-Za-z0-9/]{16,}"),
        whole,
    ),
    Rule(
        RedactionKind.SECRET,
        "Slack token",
        re.compile(r"(?<![A-Za-z0-9])(?:xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]{8,}|xapp-\d-[A-Za-z0-9-]{8,})"),
        whole,
    ),
    Rule(
        RedactionKind.SECRET,
        "JWT",
        re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        whole,
    ),
    Rule(
        RedactionKind.SECRET,
        "API key",
        re.compile(
            r"(?<![A-Za-z0-9_])(?:(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}(?![A-Z0-9])"
            r"|[spr]k_(?:live|test)_[A-Za-z0-9]{10,}|sk-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}"
            r"|glpat-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35})"
        ),
        whole,
    ),
    Rule(
        RedactionKind.SECRET,
        "bearer token",
        re.compile(r"(?<![A-Za-z])(?:bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/-]{8,}=*)", re.I),
        _bearer,
    ),
    Rule(RedactionKind.SECRET, "password or key", _KEY_VALUE, _secret_value),
    Rule(RedactionKind.SECRET, "password or key", _SPOKEN_KEY_VALUE, _spoken_secret),
    Rule(
        RedactionKind.SECRET,
        "secret key",  # AWS secret access keys: 40 characters of base64 with mixed case and digits
        re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
        when(_looks_random_or_mixed),
    ),
)

PATTERN_RULES: tuple[Rule, ...] = (
    Rule(
        RedactionKind.EMAIL,
        "e-mail address",
        re.compile(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
            r"(?![A-Za-z0-9-])"
        ),
        whole,
    ),
    Rule(
        RedactionKind.IBAN,
        "IBAN",
        re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"),
        _iban,
    ),
    Rule(
        RedactionKind.CARD,
        "payment card",
        re.compile(
            r"(?<![\d.-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})"
            r"(?![\d-]|\.\d)"
        ),
        when(_card),
    ),
    Rule(
        RedactionKind.IP,
        "IPv6 address",
        re.compile(
            r"(?<![0-9A-Za-z_:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})"
            r"(?:%[A-Za-z0-9]+)?(?![0-9A-Za-z_:]|\.\d)"
        ),
        when(_ipv6),
    ),
    Rule(
        RedactionKind.IP,
        "IPv4 address",
        re.compile(
            r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)"
        ),
        when(_ipv4),
    ),
    Rule(
        RedactionKind.PHONE,
        "phone number",
        re.compile(
            r"(?<![A-Za-z0-9_+])\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,5}){1,4}(?!\d|\.\d)"  # +82 …
            r"|(?<![\d.-])01[016789]([-. ]?)\d{3,4}\1\d{4}(?![\d-]|\.\d)"  # 010-1234-5678
            r"|(?<![\d.-])(?:\(0\d{1,2}\)\s?|0(?:2|[3-6][1-5]|70)([-. ]))\d{3,4}[-. ]\d{4}(?![\d-]|\.\d)"  # 02-…
            r"|(?<![A-Za-z0-9_/#.-])(?:\([2-9]\d{2}\)\s?\d{3}[-. ]|[2-9]\d{2}([-. ])\d{3}\3)\d{4}"  # US
            r"(?![A-Za-z0-9_-]|\.\d)"
        ),
        when(_phone),
    ),
)
