"""Existing articles that cover the same problem as a draft, so a reviewer updates one instead of adding one.

TF-IDF over character 2- and 3-grams with cosine similarity: no word splitting, so Korean (where
particles stick to words) and product codes ("E-214") match as well as English does. The article list
is small (one section or folder), so a plain Python implementation is fast enough and deterministic.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_export.models import ArticleDraft

NGRAMS = (2, 3)
MIN_SCORE = 0.22


@dataclass(frozen=True, slots=True)
class ExistingArticle:
    """An article already in the knowledge base or the export folder."""

    id: str
    title: str
    summary: str = ""
    url: str = ""
    source: str = ""  # "folder", "salesforce", "zendesk"


@dataclass(frozen=True, slots=True)
class SimilarArticle:
    article: ExistingArticle
    score: float  # cosine similarity, 0..1


def find_similar(
    draft: ArticleDraft, articles: Sequence[ExistingArticle], limit: int = 3, *, min_score: float = MIN_SCORE
) -> list[SimilarArticle]:
    """The `limit` articles most like the draft (title counts twice), best first; ties by id."""
    if not articles or limit <= 0:
        return []
    query = f"{draft.title}\n{draft.title}\n{draft.problem[:500]}\n{draft.cause[:300]}"
    documents = [f"{a.title}\n{a.title}\n{a.summary[:800]}" for a in articles]
    counts = [_grams(text) for text in documents]
    query_counts = _grams(query)
    idf = _idf([*counts, query_counts])
    query_vector = _weigh(query_counts, idf)
    scored = []
    for article, doc_counts in zip(articles, counts, strict=True):
        score = _cosine(query_vector, _weigh(doc_counts, idf))
        if score >= min_score:
            scored.append(SimilarArticle(article, round(score, 4)))
    scored.sort(key=lambda s: (-s.score, s.article.id))
    return scored[:limit]


def _grams(text: str) -> Counter[str]:
    text = " " + " ".join(re.sub(r"[^\w]+", " ", text.lower()).split()) + " "
    grams: Counter[str] = Counter()
    for n in NGRAMS:
        grams.update(text[i : i + n] for i in range(len(text) - n + 1))
    grams.pop(" ", None)
    grams.pop("  ", None)
    return grams


def _idf(documents: list[Counter[str]]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    for counts in documents:
        frequency.update(counts.keys())
    total = len(documents)
    return {gram: math.log((1 + total) / (1 + seen)) + 1 for gram, seen in frequency.items()}


def _weigh(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    vector = {gram: (1 + math.log(count)) * idf.get(gram, 1.0) for gram, count in counts.items()}
    norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
    return {gram: value / norm for gram, value in vector.items()}


def _cosine(left: dict[str, float], right: dict[str, float]) -> float:
    if len(left) > len(right):
        left, right = right, left
    return sum(value * right.get(gram, 0.0) for gram, value in left.items())
