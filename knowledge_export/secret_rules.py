"""Secrets: found by their label (in English and Korean, abbreviated or prefixed) and by their shape.

A label says a value follows ("db_password=…", "API 키: …", "SMTP_PASS …"); a strong label (password,
secret, token, API key) takes any value that is not empty, null or the start of an ordinary sentence,
a weak one (key, session, sid, cookie, signature) only a value that looks random. Shapes need no label:
private keys, credentials in URLs, JWTs, cloud keys and connection-string keys, vendor tokens (the
patterns detect-secrets and gitleaks look for), Salesforce session ids.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from knowledge_export.detectors import PLACEHOLDER, RedactionKind, Rule, Span, group, whole

# --- checks -------------------------------------------------------------------------------------------


def looks_random(value: str) -> bool:
    """A token, not a word: long enough and mixing at least two of lower, upper, digits, symbols."""
    classes = (
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
        any(not c.isalnum() for c in value),
    )
    return len(value) >= 8 and sum(classes) >= 2 and not value.isalpha()


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values()) if value else 0.0


def high_entropy(value: str) -> bool:
    """What a generated key, session id or signature looks like, and no word, date or version does."""
    core = value.strip("\"'=")
    if len(core) < 16 or not any(c.isdigit() for c in core):
        return False
    return entropy(core) >= 3.0 and (looks_random(core) or re.fullmatch(r"[0-9a-fA-F-]+", core) is not None)


# Values that say a secret is absent, hidden or unchanged, not what it is.
_NO_VALUE = re.compile(
    r"null|none|nil|undefined|true|false|n/?a|empty|\*+|x{3,}|\.{3}|…|-+|<[^>]*>|\[[^\]]*\]|\{\{?[^}]*\}\}?|"
    r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_]+%|redacted|hidden|masked|removed|omitted|changeme|your[_-]?\w+",
    re.I,
)
# Words that, after "Password:", describe what happened to it: "Password: reset by the customer".
_STATUS_WORDS = frozenset(
    [
        "reset", "expired", "changed", "updated", "required", "incorrect", "invalid", "wrong", "missing", "locked",
        "unknown", "rotated", "revoked", "policy", "rotation", "sent", "same", "set", "ok", "okay", "fine",
        "accepted", "rejected", "denied", "correct", "not", "no", "yes", "see",
    ]
)
_VERSION_NUMBER = re.compile(r"v?\d+(?:\.\d+)+", re.I)


def _is_sentence(value: str, after: str) -> bool:
    """A plain word followed by more words reads as prose, not as a password."""
    word = value.rstrip(".,:;!?")
    if not word.isalpha():
        return False
    return word.casefold() in _STATUS_WORDS or bool(re.match(r"[ \t]+[A-Za-z가-힣]", after))


def _labelled_value(match: re.Match[str]) -> Span:
    """The value after a label, unless the label is weak and the value is not random, or it names nothing."""
    span = group("value")(match)
    if span is None:
        return None
    value = match.string[span[0] : span[1]].strip()
    bare = value.rstrip("}]),.")  # '"token": null}' ends a JSON object, not a value
    if not bare or PLACEHOLDER.fullmatch(bare) or _NO_VALUE.fullmatch(bare):
        return None
    if _weak(match):
        return span if high_entropy(value) else None
    after = match.string[span[1] : span[1] + 12]
    if match.group("verb") and value.isalpha():
        return None  # "the password is expired" names no password
    quoted = match.group("quote") or match.group("quote2")
    if not quoted and match.group("sep") not in ("=", "=>") and _is_sentence(value, after):
        return None
    particle = match.group("particle")
    if particle and not _after_particle(particle, value, after):
        return None
    return span


def _weak(match: re.Match[str]) -> bool:
    return match.group("weak") is not None or match.group("weak_ko") is not None


def _after_particle(particle: str, value: str, after: str) -> bool:
    """ "비밀번호는 Passw0rd99" is a password; "비밀번호는 12자 이상" a rule; "비밀번호를 Abcd12!로" a new one."""
    if value.isdigit() and re.match(r"[가-힣]", after) and not after.startswith(("입", "이", "로", "으")):
        return False  # a count: 12자, 3회, 5분
    if particle in ("을", "를"):
        return _spoken(value) or after.startswith(("로", "으로"))
    return True


def _spoken(value: str) -> bool:
    """After a label and only a space: something no word or version number looks like."""
    value = value.rstrip(".:!?)")
    has_digit = any(c.isdigit() for c in value)
    has_letter_or_mark = any(c.isalpha() or not c.isalnum() for c in value)
    if len(value) < 6 or not has_digit or not has_letter_or_mark or PLACEHOLDER.fullmatch(value):
        return False  # "reset the password twice", "token 2 of 3", "password 3.2" name no secret
    return not _VERSION_NUMBER.fullmatch(value)


def _spoken_value(match: re.Match[str]) -> Span:
    value = match.group("value").rstrip(".:!?)")
    ok = high_entropy(value) if _weak(match) else _spoken(value) or (len(value) >= 12 and high_entropy(value))
    start = match.start("value")
    return (start, start + len(value)) if ok else None


def _bearer(match: re.Match[str]) -> Span:
    span = match.span("value")
    return span if looks_random(match.group("value")) else None


def _random_blob(match: re.Match[str]) -> Span:
    """A long base64 run (a storage account key, an AWS secret): mixed case and digits, high entropy."""
    value = match.group()
    has = (any(c.islower() for c in value), any(c.isupper() for c in value), any(c.isdigit() for c in value))
    return match.span() if all(has) and entropy(value) >= 4.0 else None


# --- labels -------------------------------------------------------------------------------------------

# A label may carry a prefix ("db_password", "SMTP_PASS", "spring.datasource.password", "x-api-key",
# "admin password") or a digit ("password2"); the label word decides how strong it is.
_STRONG = (
    r"pass(?:word|wd|phrase|code)?|pwd|pw|secret|token|api[_ -]?key|apikey|access[_ -]?key|secret[_ -]?key|"
    r"private[_ -]?key(?:[_ -]?id)?|signing[_ -]?key|master[_ -]?key|account[_ -]?key|"
    r"shared[_ -]?access[_ -]?(?:key|signature)|credentials?|creds|auth[_ -]?code|otp"
)
_WEAK = r"key|session(?:[_ -]?id|[_ -]?key)?|sid|jsessionid|phpsessid|cookie|signature|sig|auth"
_KOREAN_STRONG = (
    r"비밀\s?번호|비번|패스워드|암호|토큰|인증\s?(?:키|토큰|코드)|API\s?키|시크릿(?:\s?키)?|액세스\s?키|접근\s?키|"
    r"보안\s?키|비밀\s?키|개인\s?키|OTP(?:\s?번호)?"
)
_KOREAN_WEAK = r"세션\s?(?:ID|아이디|키|토큰)?|쿠키|서명"
_PREFIX = r"(?:_*[A-Za-z0-9]+[_.-]|(?-i:[a-z0-9]+(?=[A-Z])))*?"  # "db_", "spring.datasource.", "admin" in adminPassword
_LABEL = (
    rf"(?<![A-Za-z0-9_.-]){_PREFIX}(?:(?P<strong>{_STRONG})|(?P<weak>{_WEAK}))\d?(?![A-Za-z0-9])"
    rf"|(?:(?P<strong_ko>{_KOREAN_STRONG})|(?P<weak_ko>{_KOREAN_WEAK}))"
)
_VALUE = (
    r"(?:(?P<quote>\")(?P<value_q1>[^\"\n]{1,200})\"|(?P<quote2>')(?P<value_q2>[^'\n]{1,200})'"
    r"|(?P<value>[^\s\"'<>&,;가-힣]{1,300}))"
)
_KEY_VALUE = re.compile(
    rf"(?:{_LABEL})[\"']?"
    r"(?:[ \t]*(?P<sep>=>|->|[:=：])[ \t]*|(?P<verb>[ \t]+(?:is set to|was set to|is|was)[ \t]+)"
    r"|(?<=[가-힣])(?:(?P<particle>은|는|이|가|을|를)[ \t]*(?:[:=：][ \t]*)?|[ \t]*[:=：][ \t]*)(?=[!-~]))"
    rf"{_VALUE}",
    re.I,
)
# The same labels with only a space before the value, as people write in chat.
_SPOKEN_KEY_VALUE = re.compile(
    rf"(?:{_LABEL})[ \t]+(?P<value>[^\s\"'<>&,;가-힣]{{4,300}})",
    re.I,
)
# --- shapes -------------------------------------------------------------------------------------------

_VENDOR_TOKENS = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}(?![A-Z0-9])"  # AWS access key ids
    r"|[spr]k_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,}"  # Stripe
    r"|sk-(?:proj-|ant-[a-z0-9]{3,6}-)?[A-Za-z0-9_-]{20,}"  # OpenAI, Anthropic
    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}"  # GitHub
    r"|glpat-[A-Za-z0-9_-]{20,}|gldt-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|AIza[0-9A-Za-z_-]{35}|ya29\.[0-9A-Za-z_-]{20,}"  # Google
    r"|SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}"  # SendGrid
    r"|(?:SK|AC)[0-9a-f]{32}(?![0-9a-f])"  # Twilio
    r"|key-[0-9a-f]{32}|[0-9a-f]{32}-us\d{1,2}"  # Mailgun, Mailchimp
    r"|npm_[A-Za-z0-9]{36}|pypi-AgE[A-Za-z0-9_-]{50,}|hf_[A-Za-z0-9]{30,}|dop_v1_[a-f0-9]{64}"
    r"|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}|sq0(?:atp|csp)-[0-9A-Za-z_-]{22,}|ATATT3[A-Za-z0-9_=-]{50,}"
    r"|[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}"  # Azure AD client secret
    r"|\d{8,10}:AA[0-9A-Za-z_-]{33}"  # Telegram bot token
    r"|00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}"  # Salesforce session id / access token
    r")"
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
        re.compile(r"(?<=://)[^\s:/@]*:(?P<value>[^\s@/]+)(?=@)"),
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
        re.compile(
            r"(?<![A-Za-z0-9])(?:xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]{8,}|xoxe\.xox[a-z]-\d-[A-Za-z0-9-]{8,}"
            r"|xapp-\d-[A-Za-z0-9-]{8,})"
        ),
        whole,
    ),
    Rule(
        RedactionKind.SECRET,
        "JWT",
        re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        whole,
    ),
    Rule(RedactionKind.SECRET, "API key", _VENDOR_TOKENS, whole),
    Rule(
        RedactionKind.SECRET,
        "bearer token",
        re.compile(r"(?<![A-Za-z])(?:bearer|basic|token)\s+(?P<value>[A-Za-z0-9._~+/-]{8,}=*)", re.I),
        _bearer,
    ),
    Rule(
        RedactionKind.SECRET,
        "password",  # "creds: svc_backup / B4ckup!Now", "계정: admin / Adm1n!": the second half is the password
        re.compile(
            r"(?<![A-Za-z])(?:creds?|credentials|login|(?:계정|로그인)(?:\s?정보)?)\s*[:=：]\s*\S+\s*/\s*"
            r"(?P<value>[^\s,;]+)",
            re.I,
        ),
        group("value"),
    ),
    Rule(RedactionKind.SECRET, "password or key", _KEY_VALUE, _labelled_value),
    Rule(RedactionKind.SECRET, "password or key", _SPOKEN_KEY_VALUE, _spoken_value),
    Rule(
        RedactionKind.SECRET,
        "secret key",  # AWS secret access keys (40), storage account keys (88 with "=="), and the like
        re.compile(r"(?<![A-Za-z0-9/+=_-])[A-Za-z0-9/+]{32,}={0,2}(?![A-Za-z0-9/+=_-])"),
        _random_blob,
    ),
)
