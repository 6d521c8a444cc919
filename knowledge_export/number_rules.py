"""Numbers that identify a person or an account, each confirmed by a library that knows its rules.

`python-stdnum` checks the checksummed ones (cards by Luhn, IBANs by mod-97, Korean resident and business
registration numbers, and other national ids); `phonenumbers` finds phone numbers in any region, reading
those written without a country code in the team's regions (KR first by default). A candidate that
fails its check stays: "4242 4242 4242 4241" is not a card, "order 415-555-0132" is not a phone.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

from stdnum import iban, luhn
from stdnum.br import cpf
from stdnum.cn import ric
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.in_ import aadhaar
from stdnum.it import codicefiscale
from stdnum.kr import brn, rrn
from stdnum.us import ssn

from knowledge_export.detectors import Finding, RedactionKind, Rule, Span

# --- cards and IBANs ----------------------------------------------------------------------------------

# Issuer prefixes (IIN ranges) of the card networks: Visa, Mastercard, Amex, Discover, JCB, Diners,
# UnionPay, Maestro, and Korean domestic cards (9…).
_CARD_PREFIX = re.compile(
    r"4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6(?:011|4[4-9]|5|2)|35(?:2[89]|[3-8])|3(?:0[0-5]|[689])|5[06-9]|9"
)
_CARD_LABEL = re.compile(r"(?:card|카드|visa|master|amex|결제)\D{0,24}$", re.I)


def _card(match: re.Match[str]) -> Span:
    """13 to 19 digits in any grouping ("4111 1111 1111 1111", "41111111 11111111") that pass Luhn; the
    longest such run of whole groups from the start, since more numbers may follow the card."""
    text, start = match.group(), match.start()
    labelled = _CARD_LABEL.search(match.string[max(0, start - 30) : start]) is not None
    if not labelled and _ID_LABEL_BEFORE.search(match.string[max(0, start - 24) : start]):
        return None  # an IMEI or a serial passes Luhn too
    cut = len(text)
    while cut > 0:
        digits = re.sub(r"\D", "", text[:cut])
        if len(digits) < 13:
            return None
        if len(digits) <= 19 and len(set(digits)) >= 2 and luhn.is_valid(digits):
            known = _CARD_PREFIX.match(digits) is not None and len(digits) in (14, 15, 16, 19)  # network lengths
            if labelled or known:
                return start, start + cut
        cut = max(text.rfind(" ", 0, cut), text.rfind("-", 0, cut), text.rfind("/", 0, cut))
        cut = len(text[:cut].rstrip(" /-")) if cut > 0 else 0
    return None


def _iban(match: re.Match[str]) -> Span:
    """The longest validating prefix that ends on a group boundary (a number may follow the IBAN)."""
    text = match.group()
    start = match.start()
    cut = len(text)
    while cut >= 15:
        if iban.is_valid(text[:cut], check_country=False):  # mod-97 and the country's format
            return start, start + cut
        cut = text.rfind(" ", 0, cut) if " " in text[:cut] else cut - 1
    return None


# --- national ids -------------------------------------------------------------------------------------

_ID_LABEL = re.compile(
    r"(?:주민(?:등록)?\s?번호|주민번호|외국인\s?등록\s?번호|사업자\s?(?:등록)?\s?번호|법인\s?(?:등록)?\s?번호|여권\s?번호|"
    r"운전\s?면허\s?(?:번호)?|resident\s+(?:registration\s+)?(?:number|no)|\bRRN|\bSSN|social\s+security|"
    r"passport|driver'?s?\s+licen[cs]e|national\s+id|tax\s+id|\bTIN|aadhaar|my\s?number|\bCPF|\bDNI|\bNIE|"
    r"steuer-?id|codice\s+fiscale|\bNIR)\D{0,16}$",
    re.I,
)


def _labelled(match: re.Match[str]) -> bool:
    return _ID_LABEL.search(match.string[max(0, match.start() - 40) : match.start()]) is not None


def _rrn(match: re.Match[str]) -> Span:
    """A Korean resident (or alien) registration number: a real birth date and a valid 7th digit.

    Numbers issued since October 2020 carry no checksum, so a written-out "YYMMDD-NNNNNNN" is enough;
    thirteen bare digits also need the checksum or a label.
    """
    compact = re.sub(r"\D", "", match.group())
    if len(compact) != 13 or compact[6] not in "12345678":
        return None
    century = {"1": 1900, "2": 1900, "5": 1900, "6": 1900}.get(compact[6], 2000)
    try:
        datetime.date(century + int(compact[:2]), int(compact[2:4]), int(compact[4:6]))
    except ValueError:
        return None
    if not match.group().isdigit() or rrn.is_valid(compact) or _labelled(match):
        return match.span()
    return None


def _checked(validator, *, needs_label: bool = False):
    """A pick that keeps what the stdnum module accepts (and, for ambiguous shapes, only after a label)."""

    def pick(match: re.Match[str]) -> Span:
        if needs_label and not _labelled(match):
            return None
        return match.span() if validator.is_valid(match.group()) else None

    return pick


def _labelled_id(match: re.Match[str]) -> Span:
    """Whatever follows a national-id label and looks like one: letters and digits, at least 5 digits."""
    value = match.group("value")
    if sum(c.isdigit() for c in value) < 5 or not _labelled(match):
        return None
    return match.span("value")


_NB = r"(?<![A-Za-z0-9_./-])"  # not inside a longer token
_NA = r"(?![A-Za-z0-9_-]|\.\d)"

NUMBER_RULES: tuple[Rule, ...] = (
    Rule(
        RedactionKind.IBAN,
        "IBAN",
        re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"),
        _iban,
    ),
    Rule(
        RedactionKind.NATIONAL_ID,
        "resident registration number",
        re.compile(rf"{_NB}\d{{6}}(?:\s?-\s?|\s)?\d{{7}}{_NA}"),
        _rrn,
    ),
    Rule(
        RedactionKind.NATIONAL_ID,
        "business registration number",
        re.compile(rf"{_NB}\d{{3}}-\d{{2}}-\d{{5}}{_NA}|(?<=[:：\s])\d{{10}}{_NA}"),
        lambda m: m.span() if brn.is_valid(m.group()) and ("-" in m.group() or _labelled(m)) else None,
    ),
    Rule(RedactionKind.NATIONAL_ID, "social security number", re.compile(rf"{_NB}\d{{3}}-\d{{2}}-\d{{4}}{_NA}"),
         _checked(ssn)),
    Rule(RedactionKind.NATIONAL_ID, "social security number", re.compile(rf"{_NB}\d{{9}}{_NA}"),
         _checked(ssn, needs_label=True)),
    Rule(RedactionKind.NATIONAL_ID, "resident identity card", re.compile(rf"{_NB}\d{{17}}[\dXx]{_NA}"), _checked(ric)),
    Rule(RedactionKind.NATIONAL_ID, "CPF", re.compile(rf"{_NB}\d{{3}}\.\d{{3}}\.\d{{3}}-\d{{2}}{_NA}"), _checked(cpf)),
    Rule(RedactionKind.NATIONAL_ID, "Aadhaar", re.compile(rf"{_NB}[2-9]\d{{3}} \d{{4}} \d{{4}}{_NA}"),
         _checked(aadhaar)),
    Rule(RedactionKind.NATIONAL_ID, "DNI", re.compile(rf"{_NB}\d{{8}}-?[A-Za-z]{_NA}"), _checked(dni)),
    Rule(RedactionKind.NATIONAL_ID, "NIE", re.compile(rf"{_NB}[XYZxyz]-?\d{{7}}-?[A-Za-z]{_NA}"), _checked(nie)),
    Rule(RedactionKind.NATIONAL_ID, "codice fiscale",
         re.compile(rf"{_NB}[A-Za-z]{{6}}\d{{2}}[A-Za-z]\d{{2}}[A-Za-z]\d{{3}}[A-Za-z]{_NA}"), _checked(codicefiscale)),
    Rule(RedactionKind.NATIONAL_ID, "NIR",
         re.compile(rf"{_NB}[12] ?\d{{2}} ?\d{{2}} ?\d{{2}} ?\d{{3}} ?\d{{3}} ?\d{{2}}{_NA}"),
         _checked(nir)),
    Rule(
        RedactionKind.NATIONAL_ID,
        "national id",
        re.compile(r"(?<=[:：#\s])(?P<value>[A-Za-z]{0,2}\d[A-Za-z0-9-]{5,22})(?![A-Za-z0-9])"),
        _labelled_id,
    ),
    Rule(
        RedactionKind.CARD,
        "payment card",
        re.compile(r"(?<![\d.-])\d{2,19}(?:(?:[ -]|\s*/\s*)\d{2,8}){0,5}(?![\d-]|\.\d)"),
        _card,
    ),
)


class SplitCardDetector:
    """A card number read out in pieces after a card label ("앞 8자리 4000 0566, 뒤 8자리 5566 5556"):
    the digit groups that follow, joined, pass Luhn and start like a card. Each group is redacted."""

    _LABEL = re.compile(r"(?:card|카드)(?:\s?(?:number|no\.?|num|번호))?", re.I)
    _GROUP = re.compile(r"(?<![\d.])\d{2,8}(?:[ -]\d{2,8})*(?![\d.])")

    def find(self, text: str) -> Iterator[Finding]:
        for label in self._LABEL.finditer(text):
            window_end = min(len(text), label.end() + 80)
            groups = [g for g in self._GROUP.finditer(text, label.end(), window_end) if not _counter(text, g.end())]
            for first in range(len(groups)):
                digits = ""
                for last in range(first, len(groups)):
                    digits += re.sub(r"\D", "", groups[last].group())
                    if len(digits) > 19:
                        break
                    if last > first and len(digits) >= 13 and _CARD_PREFIX.match(digits) and luhn.is_valid(digits):
                        for group in groups[first : last + 1]:
                            yield Finding(group.start(), group.end(), RedactionKind.CARD, "payment card")


def _counter(text: str, end: int) -> bool:
    """ "8자리", "4 digits": a count of digits, not digits of the number."""
    return re.match(r"\s?(?:자리|digits?|개|번째)", text[end : end + 7]) is not None


# --- phone numbers ------------------------------------------------------------------------------------

_ID_LABEL_BEFORE = re.compile(
    r"(?:order|case|ticket|invoice|serial|s/n|sn|part|model|ref|reference|po|tracking|rma|build|version|imei|meid|iccid|"
    r"account|acct|customer|cust|sku|lot|batch|article|quote|request|주문|송장|운송장|케이스|티켓|일련|시리얼|모델|"
    r"빌드|버전|계정|고객|문서|견적)\s*(?:no\.?|number|num|#|id|번호)?\s*[:#=.]?\s*$",
    re.I,
)
_COMPANY_NUMBER = re.compile(r"1[5-9]\d\d-?\d{4}")
# Where a phone number could be: the matcher runs only on these windows, since it is slow on long texts.
_CANDIDATE = re.compile(r"\+?\(?\d[\d \t().+-]{5,24}\d")


class PhoneDetector:
    """Phone numbers by `phonenumbers`: international ones anywhere, national ones in the given regions."""

    def __init__(self, regions: tuple[str, ...] = ("KR", "US")) -> None:
        self.regions = tuple(dict.fromkeys(r.upper() for r in regions if r)) or ("KR",)

    def find(self, text: str) -> Iterator[Finding]:
        import phonenumbers  # here, not at import: its metadata costs start-up time the app does not need yet

        seen: set[tuple[int, int]] = set()
        for candidate in _CANDIDATE.finditer(text):
            if sum(c.isdigit() for c in candidate.group()) < 7:
                continue
            low = max(0, candidate.start() - 1)
            window = text[low : candidate.end() + 1]
            # With a country code the number's length is proof enough; without, it must be valid in a region.
            leniency = phonenumbers.Leniency.POSSIBLE if "+" in window else phonenumbers.Leniency.VALID
            for region in self.regions:
                for match in phonenumbers.PhoneNumberMatcher(window, region, leniency=leniency):
                    span = (low + match.start, low + match.end)
                    if span in seen or not self._standalone(text, *span):
                        continue
                    seen.add(span)
                    yield Finding(*span, RedactionKind.PHONE, "phone number")

    @staticmethod
    def _standalone(text: str, start: int, end: int) -> bool:
        """Not a piece of a longer token, and not a number some label calls an order or a serial."""
        if _COMPANY_NUMBER.fullmatch(text[start:end]):
            return False  # a Korean company's switchboard (1588-0000) names no person
        before, after = text[start - 1 : start], text[end : end + 2]
        if (before and (before.isalnum() or before in "_/#.-")) or re.match(r"[A-Za-z0-9_]|-\d|\.\d|:\d", after):
            return False
        return not _ID_LABEL_BEFORE.search(text[max(0, start - 24) : start])
