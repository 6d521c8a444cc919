"""Case numbers: what `/swarm <case>` and the case import accept, and finding them inside free text.

One rule for a typed number (`CASE_NUMBER`: letters, digits, - and _ with a digit), shared by the
command parser and the case import, so no case is imported that `/swarm` could never open. Numbers
inside free text (an alert, a customer's message), for starting a swarm from a message, follow a
pattern that is a setting (`SWARM_CASE_PATTERN`) because every team numbers cases its own way; the
default takes 5 to 10 digits standing alone (Salesforce's 00001026, a Zendesk ticket 35436), optionally
after `#`, and not as part of a version, a date, a path or a longer code.
"""

from __future__ import annotations

import re
import unicodedata

# Letters, digits, - and _, up to 64, with at least one digit (so `/swarm help` and friends stay words).
CASE_NUMBER = re.compile(r"^#?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
CASE_NUMBER_WORDS = "a case number is letters, digits, - and _ (at least one digit, no spaces), up to 64 characters"
DEFAULT_CASE_PATTERN = r"(?<![\w.\-/:])#?(\d{5,10})(?![\w.\-/:])"
MAX_NUMBERS = 10


def compile_case_pattern(raw: str) -> re.Pattern[str]:
    """The team's pattern; a group, when there is one, is the number. Raises ValueError in words."""
    try:
        pattern = re.compile(raw or DEFAULT_CASE_PATTERN)
    except re.error as exc:
        raise ValueError(f"a regular expression, not {raw!r} ({exc})") from None
    if pattern.groups > 1:
        raise ValueError(f"a regular expression with at most one group (the number), not {raw!r}")
    return pattern


def find_case_numbers(text: str, pattern: re.Pattern[str] | None = None) -> list[str]:
    """Every case number in `text`, once each, in the order they appear (at most MAX_NUMBERS)."""
    pattern = pattern or compile_case_pattern("")
    found: list[str] = []
    for match in pattern.finditer(unicodedata.normalize("NFKC", text or "")):
        number = (match.group(1) if pattern.groups else match.group(0)).strip().lstrip("#")
        if number and number not in found:
            found.append(number)
            if len(found) == MAX_NUMBERS:
                break
    return found


def is_case_number(text: str) -> bool:
    """True when `/swarm <text>` opens this case (a leading # is how people write it, not part of it)."""
    return bool(CASE_NUMBER.match(text)) and not text.startswith("#")
