"""What support problems mean, learned from the team's own text (latent semantic analysis), so a case told
in other words ("keeps restarting itself") meets the work on the same problem ("reboots in a start-up loop").

The team's text (the case store's cases, the swarms' subjects and resolutions, published articles) is
analysed as `problem_similarity` analyses it; terms found in one text only, or in more than half of them, are
left out; the TF-IDF matrix (kept sparse, as arrays) is reduced to its `RANK` strongest directions by a
randomized SVD (numpy alone). Two texts are alike when their vectors in that space point the same way: terms
that keep company in the team's cases count as alike though the two texts never share them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from swarms.opening.problem_similarity import ProblemText

RANK = 100
OVERSAMPLE = 10
POWER_ITERATIONS = 3
MIN_DOCUMENT_FREQUENCY = 2
MAX_DOCUMENT_SHARE = 0.5
MIN_DOCUMENTS = 100  # fewer texts than this teach nothing worth trusting: no space is learned
CHUNK = 65536  # nonzeros multiplied at a time (memory stays under CHUNK x (RANK + OVERSAMPLE) floats)


class MeaningSpace:
    """Directions of meaning learned from a corpus; `vectors` places any analysed text in them."""

    def __init__(self, term_ids: np.ndarray, idf: np.ndarray, directions: np.ndarray):
        self._term_ids = term_ids  # sorted term hashes of the vocabulary
        self._idf = idf
        self._directions = directions  # vocabulary x rank, each column scaled by its singular value
        self.terms, self.rank = directions.shape

    @classmethod
    def learn(cls, corpus: Sequence[ProblemText], *, rank: int = RANK, seed: int = 0) -> MeaningSpace | None:
        """The space of `corpus`, or None when it is too small to learn from."""
        if len(corpus) < MIN_DOCUMENTS:
            return None
        ids = np.concatenate([d.terms for d in corpus])
        owners = np.repeat(np.arange(len(corpus)), [len(d.terms) for d in corpus])
        term_ids, frequency = np.unique(ids, return_counts=True)  # terms are unique within a text
        kept = (frequency >= MIN_DOCUMENT_FREQUENCY) & (frequency <= MAX_DOCUMENT_SHARE * len(corpus))
        term_ids, frequency = term_ids[kept], frequency[kept]
        rank = min(rank, len(term_ids) - 1, len(corpus) - 1)
        if rank < 2:
            return None
        idf = np.log(len(corpus) / frequency) + 1.0
        rows, cols, values = _weighted(term_ids, idf, owners, ids, np.concatenate([d.term_counts for d in corpus]))
        matrix = _Sparse(rows, cols, values, (len(corpus), len(term_ids)))
        directions, strengths = _truncated_svd(matrix, rank, np.random.default_rng(seed))
        return cls(term_ids, idf, (directions * strengths).astype(np.float32))

    def vectors(self, documents: Sequence[ProblemText]) -> np.ndarray:
        """Each document as a unit vector of the space (zero where none of its terms is known)."""
        if not documents:
            return np.zeros((0, self.rank), np.float32)
        ids = np.concatenate([d.terms for d in documents])
        owners = np.repeat(np.arange(len(documents)), [len(d.terms) for d in documents])
        rows, cols, values = _weighted(self._term_ids, self._idf, owners, ids,
                                       np.concatenate([d.term_counts for d in documents]))
        placed = _Sparse(rows, cols, values, (len(documents), self.terms)).times(self._directions)
        norms = np.linalg.norm(placed, axis=1, keepdims=True)
        return (placed / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _weighted(term_ids: np.ndarray, idf: np.ndarray, owners: np.ndarray, ids: np.ndarray,
              counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The known terms of each document with TF-IDF weights, each document's row of unit length."""
    where = np.minimum(np.searchsorted(term_ids, ids), max(len(term_ids) - 1, 0))
    known = (term_ids[where] == ids) if len(term_ids) else np.zeros(len(ids), bool)
    rows, cols = owners[known], where[known]
    values = counts[known] * idf[cols]
    norms = np.sqrt(np.bincount(rows, values ** 2, minlength=int(owners.max(initial=-1)) + 1))
    return rows, cols, values / np.where(norms[rows] == 0, 1.0, norms[rows])


class _Sparse:
    """A sparse matrix as coordinate arrays, enough for the SVD: products with dense matrices both ways."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]):
        self.shape = shape
        self._rows, self._cols, self._values = rows, cols, values
        self._by_col = np.argsort(cols, kind="stable")

    def times(self, dense: np.ndarray) -> np.ndarray:
        """self @ dense."""
        return _summed(self._rows, self._cols, self._values, dense, self.shape[0])

    def transposed_times(self, dense: np.ndarray) -> np.ndarray:
        """self.T @ dense."""
        order = self._by_col
        return _summed(self._cols[order], self._rows[order], self._values[order], dense, self.shape[1])


def _summed(out_index: np.ndarray, in_index: np.ndarray, values: np.ndarray, dense: np.ndarray,
            size: int) -> np.ndarray:
    """Rows of `dense` picked by `in_index`, weighted, summed into `out_index` (sorted), CHUNK at a time."""
    out = np.zeros((size, dense.shape[1]))
    for start in range(0, len(values), CHUNK):
        stop = start + CHUNK
        products = values[start:stop, None] * dense[in_index[start:stop]]
        targets = out_index[start:stop]
        starts = np.flatnonzero(np.r_[True, targets[1:] != targets[:-1]])
        out[targets[starts]] += np.add.reduceat(products, starts, axis=0)
    return out


def _truncated_svd(matrix: _Sparse, rank: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The `rank` strongest right singular vectors of `matrix` and their singular values (Halko et al.)."""
    width = min(rank + OVERSAMPLE, min(matrix.shape))
    sample, _ = np.linalg.qr(matrix.times(rng.standard_normal((matrix.shape[1], width))))
    for _ in range(POWER_ITERATIONS):
        back, _ = np.linalg.qr(matrix.transposed_times(sample))
        sample, _ = np.linalg.qr(matrix.times(back))
    small = matrix.transposed_times(sample).T  # sample.T @ matrix: width x terms
    _, strengths, right = np.linalg.svd(small, full_matrices=False)
    return right[:rank].T, strengths[:rank]
