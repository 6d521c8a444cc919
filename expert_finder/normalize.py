"""Text normalisation shared by skill matching and history similarity.

Case folded, NFKC (full-width forms, compatibility jamo), accents stripped from Latin letters, punctuation
turned into spaces, Hangul and other scripts kept, and a few support-desk abbreviations spelled out so
"Inverter FW update" meets "inverter firmware".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SYNONYMS: dict[str, str] = {
    "fw": "firmware",
    "f/w": "firmware",
    "firmwares": "firmware",
    "cfg": "configuration",
    "config": "configuration",
    "conf": "configuration",
    "setup": "configuration",
    "inv": "inverter",
    "inverters": "inverter",
    "batt": "battery",
    "batteries": "battery",
    "bms": "battery management",
    "pv": "solar",
    "photovoltaic": "solar",
    "comms": "communication",
    "comm": "communication",
    "wifi": "wi fi",
    "db": "database",
    "auth": "authentication",
    "login": "authentication",
    "pwd": "password",
    "upd": "update",
    "upgrade": "update",
    "err": "error",
    "msg": "message",
    "api": "api",
    "ui": "user interface",
    "ess": "energy storage",
    "ev": "electric vehicle",
    "펌웨어": "firmware",
    "인버터": "inverter",
    "배터리": "battery",
    "설정": "configuration",
    "태양광": "solar",
}

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")
_SLASH_ABBREV = re.compile(r"\bf/w\b")


def _strip_accents(text: str) -> str:
    # Decompose only to drop combining marks on Latin letters; Hangul syllables decompose into jamo
    # under NFD, so recompose with NFC afterwards to keep Korean intact.
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Casefolded, accent-free, punctuation-free text with single spaces; non-Latin scripts kept."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _strip_accents(text)
    text = _SLASH_ABBREV.sub("fw", text)
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def expand(text: str) -> str:
    """Normalised text with abbreviations and synonyms replaced by their full form."""
    words = normalize(text).split()
    out: list[str] = []
    for word in words:
        full = SYNONYMS.get(word)
        if full is None:
            out.append(word)
        elif full != word:
            out.append(full)
    return " ".join(out)
