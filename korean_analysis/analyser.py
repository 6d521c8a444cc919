"""One Korean analyser per process, shared by the expert finder, the offer's problem similarity and redaction.

kiwipiepy's model takes about 300 MB of memory once loaded; each feature loading its own would multiply
that, so every caller goes through `morphemes()` here. The model loads at the first Korean word (never at
start-up) and is used under one lock, as kiwipiepy's analyser is not documented as thread-safe. Without
kiwipiepy (it comes with the `korean` extra) Korean words are split by the rules of `korean_analysis.rules`.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Iterable

from korean_analysis.rules import Morpheme, split_word

log = logging.getLogger(__name__)

# kiwipiepy's typo and multi-word dictionaries: on the finder's Korean set, the offer's development sets and
# the redaction corpora they changed no figure, and they cost about 170 MB (README, Footprint).
LOAD_EXTRA_DICTIONARIES = False
INSTALL_HINT = "pip install 'case-swarm[korean]'"

_lock = threading.Lock()
_nouns: set[str] = set()
_loaded: dict[str, object] = {}  # "kiwi": the analyser, or None once it failed to load


def has_model() -> bool:
    """Is kiwipiepy there to analyse Korean (installed, and not found broken)? Checked without loading it."""
    if "kiwi" in _loaded:
        return _loaded["kiwi"] is not None
    return importlib.util.find_spec("kiwipiepy") is not None


def describe() -> str:
    """Which Korean analysis this process uses (`case-swarm check` and the start-up log say it in one line)."""
    if has_model():
        return "kiwipiepy morphemes (its model loads at the first Korean text)"
    return f"rules (kiwipiepy is not installed; {INSTALL_HINT} for morphemes)"


def add_nouns(words: Iterable[str]) -> None:
    """Words the analyser must read as one noun (`펌웨어`, not 퍼 + ㅁ + 웨어), whenever it loads."""
    with _lock:
        new = set(words) - _nouns
        _nouns.update(new)
        kiwi = _loaded.get("kiwi")
        if kiwi is not None:  # loaded already: tell it now
            for word in sorted(new):
                kiwi.add_user_word(word, "NNG")


def load() -> bool:
    """Load the model now (a warm-up, or a benchmark timing it apart); True when kiwipiepy is there."""
    with _lock:
        return _kiwi() is not None


def morphemes(word: str) -> tuple[Morpheme, ...]:
    """A Korean word's morphemes with their tags (Sejong tags, as kiwipiepy gives them)."""
    with _lock:
        kiwi = _kiwi()
        if kiwi is None:
            return split_word(word)
        return tuple(Morpheme(t.form, t.tag, t.score) for t in kiwi.tokenize(word))


def _kiwi():
    """The shared analyser, loaded on first use (the caller holds the lock)."""
    if "kiwi" not in _loaded:
        try:
            from kiwipiepy import Kiwi
        except ImportError:  # not installed, as the start-up line said; or installed and broken, said here
            if importlib.util.find_spec("kiwipiepy") is not None:
                log.exception("kiwipiepy is installed but does not load: Korean words are split by rules")
            _loaded["kiwi"] = None
            return None
        try:
            kiwi = Kiwi(load_typo_dict=LOAD_EXTRA_DICTIONARIES, load_multi_dict=LOAD_EXTRA_DICTIONARIES)
            for word in sorted(_nouns):
                kiwi.add_user_word(word, "NNG")
        except Exception:  # its model missing or unreadable: said once, not raised at every Korean word
            log.exception("kiwipiepy's model does not load: Korean words are split by rules")
            kiwi = None
        _loaded["kiwi"] = kiwi
    return _loaded["kiwi"]
