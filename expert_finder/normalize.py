"""Text normalisation shared by skill matching and history similarity.

Case folded, NFKC (full-width forms, compatibility jamo), accents stripped from Latin letters, punctuation
turned into spaces, Hangul and other scripts kept, and a few support-desk abbreviations spelled out so
"Inverter FW update" meets "inverter firmware".

Korean words are analysed into morphemes by the app's one shared analyser (`korean_analysis.analyser`:
kiwipiepy, or rules without it): particles and endings are dropped and verbs reduced to their stems, so
`결제가 실패했습니다` and `결제 실패` meet. Each distinct word is analysed once (cached); the model loads on
the first Korean word, never at start-up. `use_morphemes(False)` leaves Korean words whole (the
evaluation's `--no-morphemes`, to measure it).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from korean_analysis import analyser

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


_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Content morphemes: nouns, numerals, verb and adjective stems, roots, foreign words and numbers, adverbs.
_CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "NP", "VV", "VA", "XR", "SL", "SH", "SN", "MAG", "W_SERIAL"})
_use: dict[str, bool] = {"morphemes": True}


def use_morphemes(enabled: bool) -> None:
    """Analyse Korean words into morphemes (the default) or leave them whole."""
    _use["morphemes"] = enabled
    expand.cache_clear()
    korean_morphemes.cache_clear()


# Glossary words the model would split (`펌웨어` is one word, not 퍼 + ㅁ + 웨어).
analyser.add_nouns(word for word in SYNONYMS if _HANGUL.search(word))


@lru_cache(maxsize=65536)
def korean_morphemes(word: str) -> tuple[str, ...]:
    """A Korean word's content morphemes (`결제가` → 결제; `실패했습니다` → 실패)."""
    tokens = analyser.morphemes(word)
    kept = tuple(t.form for t in tokens if t.tag in _CONTENT_TAGS)
    if kept or all(t.tag[0] in "JEX" for t in tokens):  # a lone particle or ending (`에서`) says nothing
        return kept
    return (word,)


def _words(text: str) -> list[str]:
    words = normalize(text).split()
    if not _use["morphemes"] or not _HANGUL.search(text or ""):
        return words
    out: list[str] = []
    for word in words:
        out.extend(korean_morphemes(word) if _HANGUL.search(word) else (word,))
    return out


@lru_cache(maxsize=65536)
def expand(text: str) -> str:
    """Normalised text (Korean words as morphemes) with abbreviations and synonyms replaced by their full form."""
    out: list[str] = []
    for word in _words(text):
        full = SYNONYMS.get(word)
        if full is None:
            out.append(word)
        elif full != word:
            out.append(full)
    return " ".join(out)
