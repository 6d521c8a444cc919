"""How alike two support problems are, across Korean and English (the offer of existing work).

Each text is analysed once (cached): Korean glossary terms become their English words
(`bilingual_terms`), the rest is normalised and Korean words reduced to their content morphemes by the
expert finder's analyser (`expert_finder.normalize.expand`, kiwipiepy), English words to a crude stem.
Four signals are scored against a set of candidates:

* words: TF-IDF cosine over those terms (the IDF from the candidates themselves);
* letters: TF-IDF cosine over character 3-grams of the same terms, which forgives typos ("invertor",
  "conector") and mixed forms ("예약충전" beside "예약 충전");
* codes: error and status codes (`E-412`, `PG-1003`, `504`, `QUOTA_EXCEEDED`) found in both texts;
* meaning: the cosine of the two texts' sentence vectors (`problem_meaning`, when its encoder is installed),
  for reports of one problem in other words or the other language; only what it adds above
  `MEANING_FLOOR` counts, as unrelated support texts are never far apart in that space.

The product's own words are left out of the text (every case on that product has them), a product named on
both sides that differs lowers the score (the same words about another product are another problem), and
so does sharing one word only with no code (short texts meeting on "password" are a guess).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from expert_finder.normalize import expand
from swarms.opening import problem_meaning
from swarms.opening.bilingual_terms import ENGLISH_PHRASES, ENGLISH_SAME, to_english

GRAM = 3
WORD_WEIGHT = 0.55
LETTER_WEIGHT = 0.45
CODE_BONUS = 0.25
OTHER_PRODUCT_FACTOR = 0.6
DROP_PRODUCT_WORDS = True
ONE_WORD_FACTOR = 0.6
MEANING_WEIGHT = 0.7
MEANING_FLOOR = 0.2  # sentence cosines of unrelated reports on one product: median 0.23-0.28, 90th 0.32-0.39

_CODE = re.compile(r"(?<![\w.])([A-Za-z]{1,4})-?(\d{1,5})(?![\w.])|(?<![\w.])([45]\d\d)(?![\w.%])"
                   r"|\b([A-Z]{2,}(?:_[A-Z]+)+)\b")
_STOP = frozenset("""a an the and or but if of to in on at by for from with without into onto about as is are was
were be been being am do does did done have has had it its this that these those there here i me my we our
you your he she they them their his her not no yes can could will would should may might must shall just
also very so too than then when while after before since until again still only even some any all each
every other such same new one two customer customers please hi hello thanks thank regards team dear kind
issue problem case help need needs wants want asks asked says said get gets got go goes went make made
now today yesterday last next since what which who how why where request requests question questions user
users client clients people someone
""".split())  # noqa: SIM905 - a word list reads better as text


_PHRASES = re.compile("|".join(rf"\b{re.escape(phrase)}\b" for phrase in ENGLISH_PHRASES), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ProblemText:
    """A text analysed for comparison: its terms and their letter 3-grams (hashed, with log counts), its
    codes and its product, and the text itself (its meaning is read beside the index, in batches)."""

    text: str
    terms: np.ndarray
    term_counts: np.ndarray
    grams: np.ndarray
    gram_counts: np.ndarray
    codes: frozenset[str]
    product: str


@lru_cache(maxsize=32768)
def analyse(text: str, product: str = "") -> ProblemText:
    """The comparable form of a problem's text (cached: the same swarm is compared at every opening)."""
    product_words = set(_terms(product)) if DROP_PRODUCT_WORDS else set()
    terms = Counter(term for term in _terms(text) if term not in product_words)
    spelled = " " + " ".join(terms.elements()) + " "
    grams = Counter(spelled[i:i + GRAM] for i in range(len(spelled) - GRAM + 1))
    return ProblemText(text, *_hashed(terms), *_hashed(grams), frozenset(_codes(text)), _product_key(product))


class Candidates:
    """The work a new case is compared with, indexed once: document frequencies, weights and norms, and the
    documents' sentence vectors when the encoder is installed (`with_meaning`)."""

    def __init__(self, documents: Sequence[ProblemText], *, meaning: bool = True):
        self.size = len(documents)
        self._meanings = problem_meaning.meanings([d.text for d in documents]) if meaning and documents else None
        self.with_meaning = self._meanings is not None
        self._words = _Space([(d.terms, d.term_counts) for d in documents])
        self._letters = _Space([(d.grams, d.gram_counts) for d in documents])
        self._coded = [(i, d.codes) for i, d in enumerate(documents) if d.codes]
        products = [d.product for d in documents]
        self._products = {product: np.array([p == product for p in products]) for product in set(products)}

    def best(self, query: ProblemText, count: int) -> list[tuple[int, float]]:
        """The `count` documents most like `query` as (position, score), best first (ties in document order)."""
        scores = self.similarities(query)
        return [(int(i), float(scores[i])) for i in np.argsort(-scores, kind="stable")[:count]]

    def similarities(self, query: ProblemText) -> np.ndarray:
        """How alike `query` is to each document, 0 to about 1 (words, letters, codes, meaning and product
        together; a little above 1 for a text and its near copy with a code in common). Where the encoder fails
        on the query alone, words carry it, under the index's rule with meaning: a stricter one."""
        if not self.size:
            return np.zeros(0)
        words, shared = self._words.cosines(query.terms, query.term_counts)
        scores = WORD_WEIGHT * words + LETTER_WEIGHT * self._letters.cosines(query.grams, query.gram_counts)[0]
        other = np.zeros(self.size, dtype=bool)
        for product, named in self._products.items():
            if not same_product(query.product, product):
                other |= named
        for i, codes in self._coded:
            if codes & query.codes and not other[i]:  # E-05 on a charger is not E-05 on an inverter
                scores[i] += CODE_BONUS
                shared[i] += 1
        scores[shared < 2] *= ONE_WORD_FACTOR  # short texts alike by one word ("password") are a guess
        if self._meanings is not None:  # meaning needs no shared word: that is what it is for
            query_meaning = problem_meaning.meanings([query.text])
            if query_meaning is not None:
                scores += MEANING_WEIGHT * np.maximum(self._meanings @ query_meaning[0] - MEANING_FLOOR, 0.0)
        scores[other] *= OTHER_PRODUCT_FACTOR
        return scores


class _Space:
    """One kind of feature (terms or letter grams) over all candidates, as flat arrays: TF-IDF weights
    and norms are computed once, so a query costs a lookup and one weighted sum per candidate."""

    def __init__(self, documents: list[tuple[np.ndarray, np.ndarray]]):
        self.size = len(documents)
        lengths = np.array([len(ids) for ids, _ in documents], dtype=np.int64)
        ids = np.concatenate([ids for ids, _ in documents]) if documents else np.zeros(0, np.int64)
        counts = np.concatenate([c for _, c in documents]) if documents else np.zeros(0)
        self._owner = np.repeat(np.arange(self.size), lengths)
        self._ids, self._slot, frequency = np.unique(ids, return_inverse=True, return_counts=True)
        self._idf = np.log((2.0 + self.size) / (1.0 + frequency)) + 1.0
        self._weights = counts * self._idf[self._slot]
        self._norms = np.sqrt(np.bincount(self._owner, self._weights ** 2, minlength=self.size))
        self._norms[self._norms == 0] = 1.0
        self._unseen_idf = np.log(2.0 + self.size) + 1.0

    def cosines(self, ids: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each document's cosine with the query, and how many features they share."""
        if not len(ids) or not len(self._ids):
            return np.zeros(self.size), np.zeros(self.size)
        where = np.searchsorted(self._ids, ids)
        found = where < len(self._ids)
        found[found] &= self._ids[where[found]] == ids[found]
        weights = counts * np.where(found, self._idf[np.minimum(where, len(self._ids) - 1)], self._unseen_idf)
        query = np.zeros(len(self._ids))
        query[where[found]] = weights[found]
        in_query = query[self._slot]
        dots = np.bincount(self._owner, self._weights * in_query, minlength=self.size)
        shared = np.bincount(self._owner, in_query > 0, minlength=self.size)
        return dots / (self._norms * (np.linalg.norm(weights) or 1.0)), shared


def same_product(left: str, right: str) -> bool:
    """True unless both name a product and the names differ (`Hybrid 5K` and `HYBRID-5K` are one)."""
    return not left or not right or left == right or fuzz.ratio(left, right) >= 85


def _product_key(product: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", (product or "").casefold()).split())


def _codes(text: str) -> list[str]:
    found = []
    for letters, digits, status, constant in _CODE.findall(text or ""):
        if letters and (letters.isupper() or len(letters) == 1):
            found.append(f"{letters.upper()}{int(digits)}")
        elif status:
            found.append(status)
        elif constant:
            found.append(constant.lower())
    return found


def _terms(text: str) -> list[str]:
    text = to_english(text or "")
    if ENGLISH_PHRASES:
        text = _PHRASES.sub(lambda match: ENGLISH_PHRASES[match.group(0).lower()], text)
    terms = []
    for word in expand(text).split():
        word = ENGLISH_SAME.get(word, word)
        if word in _STOP or (len(word) < 2 and not word.isdigit()):
            continue
        stem = _stem(word)
        terms.append(_SAME_STEM.get(stem, stem))
    return terms


def _stem(word: str) -> str:
    """A crude English stem (charging, charger, charges → charg); other scripts and codes unchanged."""
    if not word.isascii() or not word.isalpha() or len(word) <= 4:
        return word
    for suffix in ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _hashed(counts: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
    """Features as sorted 64-bit hashes with their log counts (a collision is one in billions)."""
    pairs = sorted((hash(feature), 1.0 + math.log(count)) for feature, count in counts.items())
    return np.array([h for h, _ in pairs], dtype=np.int64), np.array([w for _, w in pairs])


# The groups again by stem, so an inflection the list does not spell ("disconnected") still meets its group.
_SAME_STEM: dict[str, str] = {_stem(word): _stem(ENGLISH_SAME[word]) for word in ENGLISH_SAME} | {
    _stem(canonical): _stem(canonical) for canonical in set(ENGLISH_SAME.values())}
