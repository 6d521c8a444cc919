"""Street addresses: Korean road-name and lot addresses (with their postal codes) and Western street lines.

A Korean address needs a district before the road or neighbourhood ("강남구 테헤란로 123", "역삼동 737"),
so "2.4.0으로 3번" never reads as a road; a Western one needs a house number, capitalised words and a
street type ("221B Baker Street"), or a German "…straße 12". Unit, floor, city, state and postal
code that follow are taken with it.
"""

from __future__ import annotations

import re

from knowledge_export.detectors import RedactionKind, Rule, whole

_SIDO = (
    r"(?:서울(?:특별시|시)?|부산(?:광역시|시)?|대구(?:광역시|시)?|인천(?:광역시|시)?|광주(?:광역시|시)?|대전(?:광역시|시)?|"
    r"울산(?:광역시|시)?|세종(?:특별자치시|시)?|경기(?:도)?|강원(?:특별자치도|도)?|충청[북남]도|충[북남]|전라[북남]도|"
    r"전북특별자치도|전[북남]|경상[북남]도|경[북남]|제주(?:특별자치도|도)?)"
)
_POSTAL_KO = r"(?:(?:우편번호|우)\s*[:.]?\s*\d{5}|\(\d{5}\)|\[\d{5}\])"
_DISTRICT = r"[가-힣]{1,6}(?:시|군|구)"
_ROAD = r"[가-힣0-9]{1,12}(?:로|길)(?:\s?\d{1,4}(?:번)?길)?\s?\d{1,4}(?:-\d{1,4})?(?:번지)?"
_LOT = r"[가-힣0-9]{1,8}(?:동|리|가|읍|면)\s?\d{1,5}(?:-\d{1,5})?(?:번지)?"
_DETAIL = r"(?:,?\s?(?:[가-힣A-Za-z0-9]{1,12}\s?)?(?:\d{1,4}동\s?)?\d{1,5}(?:호|층)|\s?\([가-힣0-9,\s]{1,24}\))"
KOREAN_ADDRESS = re.compile(
    rf"(?:{_POSTAL_KO}\s*)?(?:{_SIDO}\s+)?(?:{_DISTRICT}\s+){{1,2}}(?:[가-힣]{{1,6}}(?:읍|면)\s+)?"
    rf"(?:{_ROAD}|{_LOT})(?:{_DETAIL}){{0,3}}(?:\s*{_POSTAL_KO})?"
)
# "서울시 강남구 …" is covered above; a province and a road with no district ("세종시 한누리대로 2130") too.
KOREAN_ADDRESS_SHORT = re.compile(rf"(?:{_POSTAL_KO}\s*)?{_SIDO}\s+(?:{_ROAD})(?:{_DETAIL}){{0,3}}")
POSTAL_CODE_KO = re.compile(r"(?:우편번호|우)\s*[:.]?\s*\d{5}(?!\d)")

_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Parkway|Pkwy|Place|Pl|Terrace|"
    r"Square|Sq|Highway|Hwy|Circle|Cir|Crescent|Close|Row|Plaza|Alley|Trail|Walk|Gardens|Loop|Pike|Broadway"
)
_UNIT = r"(?:,?\s*(?:Suite|Ste\.?|Apt\.?|Apartment|Unit|Floor|Fl\.?|Room|Rm\.?|#)\s*[A-Za-z0-9-]{1,6})"
_CITY_STATE_ZIP = (
    r"(?:,\s*[A-Z][a-z][A-Za-z.'-]*(?:\s[A-Z][a-z][A-Za-z.'-]*){0,2}"  # city
    r"(?:,?\s*[A-Z]{2}(?=[\s,]|$))?"  # state
    r"(?:,?\s*(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}))?)?"  # ZIP or UK postcode
)
WESTERN_STREET = re.compile(
    rf"(?<![A-Za-z0-9.-])\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?,?\s+(?:[A-Z][A-Za-z'.-]*\s+){{1,4}}?"
    rf"(?:{_STREET_TYPES})\.?(?![A-Za-z]){_UNIT}?{_CITY_STATE_ZIP}"
)
GERMAN_STREET = re.compile(
    r"(?<![A-Za-z])[A-ZÄÖÜ][a-zäöüß-]+(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm)\s+\d{1,4}[a-z]?"
    r"(?:,\s*\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+)?"
)
PO_BOX = re.compile(r"(?<![A-Za-z])P\.?\s?O\.?\s+Box\s+\d{1,6}", re.I)

ADDRESS_RULES: tuple[Rule, ...] = (
    Rule(RedactionKind.ADDRESS, "Korean address", KOREAN_ADDRESS, whole),
    Rule(RedactionKind.ADDRESS, "Korean address", KOREAN_ADDRESS_SHORT, whole),
    Rule(RedactionKind.ADDRESS, "postal code", POSTAL_CODE_KO, whole),
    Rule(RedactionKind.ADDRESS, "street address", WESTERN_STREET, whole),
    Rule(RedactionKind.ADDRESS, "street address", GERMAN_STREET, whole),
    Rule(RedactionKind.ADDRESS, "post office box", PO_BOX, whole),
)
