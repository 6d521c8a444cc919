"""TF-IDF in numpy alone: terms counted once, sublinear weights, L2 rows, products through an inverted index.

The finder needs only a small part of a text library: character n-grams within word boundaries and words
(or word pairs) of `normalize.expand`-ed text, counts, smoothed IDF, L2-normalised rows and cosine
products. scipy and scikit-learn did that at 190 MB installed; this does it in a few numpy passes:

- `Rows` is a compressed sparse row matrix (indptr, indices, data), enough to slice, sum by group,
  normalise and transpose;
- `product(queries, postings)` multiplies by a matrix given by its transpose (`Rows.transposed()`: per
  term, the rows holding it, an inverted index), summing each query term's postings with `np.bincount`;
  for a batch of queries, the terms found in many rows of many queries go through a dense BLAS product
  instead, where one pass costs less than expanding their long postings;
- `CountedTexts` counts every text once; fitting on any subset (a replay refits on growing prefixes)
  keeps that subset's terms (min_df, max_features) and IDF, with no re-tokenising.

The weights are scikit-learn's `TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm="l2")`
(tf = 1 + ln count, idf = ln((1 + n) / (1 + df)) + 1), so the figures measured with it still hold.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from expert_finder.normalize import expand

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # words of two characters or more
_SPACES = re.compile(r"\s\s+")
CHUNK_ELEMENTS = 4_000_000  # postings expanded at once: bounds a product's temporary memory (~100 MB)
DENSE_ELEMENTS = 8_000_000  # cells of the dense block a batch product may build (32 MB of float32)


@lru_cache(maxsize=200_000)
def _word_grams(word: str, low: int, high: int) -> tuple[str, ...]:
    """Character n-grams of one word padded with spaces; a word shorter than n counts once, whole."""
    padded = f" {word} "
    size = len(padded)
    grams: list[str] = []
    for n in range(low, high + 1):
        if size <= n:
            grams.append(padded)
            break
        grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return tuple(grams)


@dataclass(frozen=True)
class TermSpec:
    """Which terms a text has (`char_wb`: character n-grams within words; `word`: word n-grams), and which
    terms a fit keeps (seen in at least `min_df` texts; the `max_features` most frequent)."""

    analyzer: str = "char_wb"
    ngram_range: tuple[int, int] = (2, 4)
    min_df: int = 1
    max_features: int | None = None

    def terms(self, text: str) -> list[str]:
        low, high = self.ngram_range
        if self.analyzer == "char_wb":
            grams: list[str] = []
            for word in _SPACES.sub(" ", expand(text)).split():
                grams.extend(_word_grams(word, low, high))
            return grams
        if self.analyzer != "word":
            raise ValueError(f"unknown analyzer {self.analyzer!r}")
        words = _TOKEN.findall(expand(text))
        out = list(words) if low == 1 else []
        for n in range(max(low, 2), high + 1):
            out.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        return out


@dataclass(frozen=True)
class Rows:
    """A sparse matrix by rows (CSR): row i holds columns indices[indptr[i]:indptr[i+1]]."""

    indptr: np.ndarray  # int64, n_rows + 1
    indices: np.ndarray  # int64
    data: np.ndarray  # float32
    n_cols: int

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.indptr) - 1, self.n_cols

    def row_ids(self) -> np.ndarray:
        """The row of each stored value."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def take(self, rows: np.ndarray | Sequence[int]) -> Rows:
        rows = np.asarray(rows, dtype=np.int64)
        starts, lens = self.indptr[rows], self.indptr[rows + 1] - self.indptr[rows]
        idx = _ranges(starts, lens)
        return Rows(np.r_[0, np.cumsum(lens)].astype(np.int64), self.indices[idx], self.data[idx], self.n_cols)

    def with_columns(self, new_of_old: np.ndarray, n_cols: int) -> Rows:
        """Columns renumbered by `new_of_old` (-1 drops a column)."""
        new = new_of_old[self.indices]
        keep = new >= 0
        counts = np.bincount(self.row_ids()[keep], minlength=self.shape[0])
        return Rows(np.r_[0, np.cumsum(counts)].astype(np.int64), new[keep], self.data[keep], n_cols)

    def row_norms(self) -> np.ndarray:
        return np.sqrt(np.bincount(self.row_ids(), weights=self.data.astype(np.float64) ** 2,
                                   minlength=self.shape[0]))

    def l2_normalised(self) -> Rows:
        norms = self.row_norms()
        scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        return Rows(self.indptr, self.indices, (self.data * scale[self.row_ids()]).astype(np.float32), self.n_cols)

    def summed_by(self, group: np.ndarray, weight: np.ndarray, n_groups: int) -> Rows:
        """Row g of the result: the sum of weight[i] × row i over the rows i with group[i] == g."""
        row = self.row_ids()
        key = group[row].astype(np.int64) * self.n_cols + self.indices
        values = self.data.astype(np.float64) * weight[row]
        if n_groups * self.n_cols <= DENSE_ELEMENTS:  # few people (a bug tracker's team): one dense pass
            dense = np.bincount(key, weights=values, minlength=n_groups * self.n_cols)
            key = np.flatnonzero(dense)
            values = dense[key]
        else:
            order = stable_order(key)
            key = key[order]
            if not key.size:
                return Rows(np.zeros(n_groups + 1, dtype=np.int64), key, np.zeros(0, np.float32), self.n_cols)
            first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
            values = np.add.reduceat(values[order], first)
            key = key[first]
        indptr = np.searchsorted(key // self.n_cols, np.arange(n_groups + 1), side="left").astype(np.int64)
        return Rows(indptr, key % self.n_cols, values.astype(np.float32), self.n_cols)

    def transposed(self) -> Rows:
        """The transpose, by rows: per column of this matrix, the rows holding it (an inverted index)."""
        order = stable_order(self.indices)
        counts = np.bincount(self.indices, minlength=self.n_cols)
        return Rows(np.r_[0, np.cumsum(counts)].astype(np.int64), self.row_ids()[order], self.data[order],
                    self.shape[0])


def stable_order(keys: np.ndarray) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` for non-negative integer keys, by 16-bit radix passes: numpy sorts
    16-bit integers by radix in linear time, 2-3 times faster than its merge sort of 64-bit ones."""
    if not keys.size:
        return np.zeros(0, dtype=np.int64)
    top = int(keys.max())
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    shift = 16
    while top >> shift:
        order = order[np.argsort(((keys[order] >> shift) & 0xFFFF).astype(np.uint16), kind="stable")]
        shift += 16
    return order


def _ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """The concatenation of arange(s, s + l) for each start s and length l."""
    total = int(lens.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    before = np.cumsum(lens) - lens
    return np.arange(total, dtype=np.int64) + np.repeat(starts - before, lens)


def product(queries: Rows, postings: Rows) -> np.ndarray:
    """queries × M as a dense float64 array, M given by its transpose `postings` (`M.transposed()`)."""
    n_q, n_out = queries.shape[0], postings.shape[1]
    out = np.zeros((n_q, n_out))
    if not n_q or not n_out or not queries.indices.size:
        return out
    if n_q == 1:
        out[0] = _one_query(queries, postings)
        return out
    lens = np.diff(postings.indptr)
    dense = _dense_terms(queries, lens, n_out)
    if dense.size:
        slot = np.full(postings.shape[0], -1, dtype=np.int64)
        slot[dense] = np.arange(dense.size)
        block = np.zeros((dense.size, n_out), dtype=np.float32)
        idx = _ranges(postings.indptr[dense], lens[dense])
        block[np.repeat(np.arange(dense.size), lens[dense]), postings.indices[idx]] = postings.data[idx]
        q_slot = slot[queries.indices]
        in_block = q_slot >= 0
        q_dense = np.zeros((n_q, dense.size), dtype=np.float32)
        q_dense[queries.row_ids()[in_block], q_slot[in_block]] = queries.data[in_block]
        out += q_dense @ block
        sparse = Rows(queries.indptr, np.where(in_block, -1, queries.indices), queries.data, queries.n_cols)
    else:
        sparse = queries
    _postings_product(sparse, postings, lens, out)
    return out


def _one_query(query: Rows, postings: Rows) -> np.ndarray:
    """One query (the app ranking a case): its terms' postings copied as slices, weighted, summed per row."""
    starts = postings.indptr[query.indices]
    ends = postings.indptr[query.indices + 1]
    at = np.r_[0, np.cumsum(ends - starts)].tolist()
    cols = np.empty(at[-1], dtype=postings.indices.dtype)
    values = np.empty(at[-1], dtype=np.float64)
    pi, pd = postings.indices, postings.data
    for a, b, lo, hi, w in zip(starts.tolist(), ends.tolist(), at, at[1:], query.data.tolist(), strict=False):
        cols[lo:hi] = pi[a:b]
        np.multiply(pd[a:b], w, out=values[lo:hi])
    return np.bincount(cols, weights=values, minlength=postings.shape[1])


def _dense_terms(queries: Rows, lens: np.ndarray, n_out: int) -> np.ndarray:
    """Terms whose postings cost more to expand, over all the queries holding them, than one dense pass.

    Expanding costs ~15 ns per (query, posting) pair; a term in the dense block costs a row of zeros to
    build and a multiply-add per query and output column in BLAS (~0.1 ns). Single queries never gain."""
    n_q = queries.shape[0]
    if n_q < 4:
        return np.zeros(0, dtype=np.int64)
    held = np.bincount(queries.indices, minlength=len(lens))
    benefit = held * lens * 15.0 - n_out * (1.0 + 0.1 * n_q)
    terms = np.flatnonzero(benefit > 0)
    cap = max(DENSE_ELEMENTS // max(n_out, n_q, 1), 0)
    if terms.size > cap:
        terms = terms[np.argsort(-benefit[terms], kind="stable")[:cap]]
    return np.sort(terms)


def _postings_product(queries: Rows, postings: Rows, lens: np.ndarray, out: np.ndarray) -> None:
    """Adds each query term's postings (term weight × posting weight) into `out`; columns -1 are skipped."""
    n_out = out.shape[1]
    terms, weights, rows = queries.indices, queries.data, queries.row_ids()
    keep = terms >= 0
    terms, weights, rows = terms[keep], weights[keep], rows[keep]
    cost = np.cumsum(lens[terms])
    rows_at_once = max(CHUNK_ELEMENTS // max(n_out, 1), 1)  # bounds the dense buffer of a chunk too
    start = 0
    while start < terms.size:
        base = cost[start - 1] if start else 0
        stop = min(int(np.searchsorted(cost, base + CHUNK_ELEMENTS, side="right")),
                   int(np.searchsorted(rows, rows[start] + rows_at_once, side="left")))
        stop = max(stop, start + 1)
        t, w, r = terms[start:stop], weights[start:stop], rows[start:stop]
        n = lens[t]
        idx = _ranges(postings.indptr[t], n)
        if idx.size:
            first, last = int(r[0]), int(r[-1]) + 1
            flat = np.repeat((r - first) * n_out, n) + postings.indices[idx]
            values = postings.data[idx].astype(np.float64) * np.repeat(w, n)
            out[first:last] += np.bincount(flat, weights=values, minlength=(last - first) * n_out).reshape(
                last - first, n_out
            )
        start = stop


class CountedTexts:
    """Texts tokenised and counted once, so that fitting TF-IDF on any subset of them is a slice.

    The counting vocabulary covers every text but is only a column index: `fit` keeps the columns the
    subset itself selects (`spec.min_df`, `spec.max_features`) and learns the IDF from the subset alone,
    the same matrix as counting the subset afresh.
    """

    def __init__(self, spec: TermSpec, texts: Sequence[str]):
        self.spec = spec
        self.vocabulary: dict[str, int] = {}
        self.row: dict[str, int] = {}
        self.counts = self._count(texts, grow=True)
        for i, text in enumerate(texts):
            self.row[text] = i

    def _count(self, texts: Sequence[str], *, grow: bool) -> Rows:
        vocabulary = self.vocabulary
        indptr, indices, data = [0], [], []
        seen: dict[str, tuple[list[int], list[int]]] = {}
        for text in texts:
            if text not in seen:
                counted = Counter(self.spec.terms(text))
                if grow:
                    cols = [vocabulary.setdefault(term, len(vocabulary)) for term in counted]
                    seen[text] = (cols, list(counted.values()))
                else:
                    pairs = [(vocabulary[t], c) for t, c in counted.items() if t in vocabulary]
                    seen[text] = ([p[0] for p in pairs], [p[1] for p in pairs])
            cols, values = seen[text]
            indices.extend(cols)
            data.extend(values)
            indptr.append(len(indices))
        return Rows(np.array(indptr, dtype=np.int64), np.array(indices, dtype=np.int64),
                    np.array(data, dtype=np.float32), len(vocabulary))

    def rows(self, texts: Sequence[str]) -> Rows:
        """Counts of `texts`; one not counted before (a query worded otherwise) is counted now, over the
        same columns: a term no counted text has is in no subset's vocabulary either."""
        if all(t in self.row for t in texts):
            return self.counts.take([self.row[t] for t in texts])
        return self._count(texts, grow=False)

    def fit(self, texts: Sequence[str]) -> Tfidf:
        counts = self.rows(texts)
        if not counts.indices.size:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        df = np.bincount(counts.indices, minlength=counts.n_cols)
        cols = np.flatnonzero(df >= self.spec.min_df)
        limit = self.spec.max_features
        if limit is not None and len(cols) > limit:
            totals = np.bincount(counts.indices, weights=counts.data, minlength=counts.n_cols)[cols]
            cols = np.sort(cols[np.argsort(-totals, kind="stable")[:limit]])
        if not len(cols):
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
        n = counts.shape[0]
        idf = (np.log((1.0 + n) / (1.0 + df[cols])) + 1.0).astype(np.float32)
        return Tfidf(self, cols, idf)


class Tfidf:
    """A TF-IDF fitted through `CountedTexts.fit`: sublinear tf × idf, rows L2-normalised."""

    def __init__(self, counted: CountedTexts, cols: np.ndarray, idf: np.ndarray):
        self.counted, self.cols, self.idf = counted, cols, idf
        self.new_of_old = np.full(counted.counts.n_cols, -1, dtype=np.int64)
        self.new_of_old[cols] = np.arange(len(cols))

    def transform(self, texts: Sequence[str]) -> Rows:
        kept = self.counted.rows(texts).with_columns(self.new_of_old, len(self.cols))
        data = (1.0 + np.log(kept.data)) * self.idf[kept.indices]
        return Rows(kept.indptr, kept.indices, data.astype(np.float32), kept.n_cols).l2_normalised()

    def fit_transform(self, texts: Sequence[str]) -> Rows:
        return self.transform(texts)


def fit_tfidf(spec: TermSpec, texts: Sequence[str]) -> Tfidf:
    """TF-IDF fitted on `texts` (terms counted here)."""
    return CountedTexts(spec, texts).fit(texts)
